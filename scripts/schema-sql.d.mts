import type { DMMF } from '@prisma/client/runtime/library.js';

type Datamodel = DMMF.Datamodel;
type Model = DMMF.Model;
type Field = DMMF.Field;

export function sqlType(f: Field): string;
export function sqlDefault(f: Field): string;
export function enumSql(e: DMMF.DatamodelEnum): string;
export function tableSql(m: Model): string;
export function indexSql(datamodel: Datamodel, modelName?: string): string[];
export function foreignKeySql(datamodel: Datamodel, m: Model): string[];
export function schemaSql(datamodel: Datamodel): string;
