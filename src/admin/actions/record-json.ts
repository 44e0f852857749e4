import { NotFoundError, type ActionContext, type ActionJSON, type ActionRequest, type BaseRecord, type RecordActionResponse, type RecordJSON } from 'adminjs';

/**
 * Records of a list or show page as JSON, each referenced record reduced to
 * what a reference cell reads (id, title, and the show action's name when the
 * admin may open it) and built once however many rows point at it. AdminJS
 * sends every referenced record whole, with all its record and bulk actions,
 * once per row that points at it: 690 KB for 50 API keys, against 250 KB with
 * the whole show action (session 8) and less again with its name alone.
 */
export function recordsJson(records: BaseRecord[], context: ActionContext): RecordJSON[] {
  const slim = new Map<BaseRecord, RecordJSON>();
  const slimJson = (ref: BaseRecord): RecordJSON => {
    let json = slim.get(ref);
    if (!json) {
      const decorated = ref.resource.decorate();
      const title = decorated.titleOf(ref);
      // The cell links when it finds an action named 'show' (adminjs reference-value.js). Only that action is
      // asked whether this admin may run it on this record: ref.toJSON would ask every record and bulk
      // action of the referenced resource (rotate, lock, delete...) and write each one's whole JSON.
      const show = decorated.actions.show;
      const canShow = !!show && show.isVisible(context.currentAdmin, ref) && show.isAccessible(context.currentAdmin, ref);
      json = {
        params: { [decorated.titleProperty().name()]: title, id: ref.id() },
        populated: {},
        baseError: null,
        errors: {},
        id: ref.id(),
        title,
        recordActions: canShow ? [{ name: 'show', actionType: 'record', resourceId: decorated.id() } as ActionJSON] : [],
        bulkActions: [],
      };
      slim.set(ref, json);
    }
    return json;
  };
  return records.map((record) => {
    const populated = record.populated;
    record.populated = {};
    const json = record.toJSON(context.currentAdmin);
    record.populated = populated;
    json.populated = Object.fromEntries(Object.entries(populated).map(([path, ref]) => [path, ref ? slimJson(ref) : ref]));
    return json;
  });
}

/**
 * The show action of every resource: AdminJS's own (the record read by the
 * guard, its references populated by the API controller) answering with the
 * record as recordsJson writes it: a record page names what it refers
 * to, it does not carry each referenced record's every action.
 */
export async function showHandler(request: ActionRequest, _response: unknown, context: ActionContext): Promise<RecordActionResponse> {
  if (!context.record) throw new NotFoundError(`Record of given id ("${request.params.recordId}") could not be found`, 'Action#handler');
  return { record: recordsJson([context.record], context)[0]! };
}
