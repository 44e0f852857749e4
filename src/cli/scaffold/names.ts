/** The spellings of one model name the generators need. */
export interface Names {
  /** Widget / PurchaseOrder */
  model: string;
  /** widget / purchaseOrder: Prisma delegate and variable names */
  camel: string;
  /** widget / purchase-order: file names */
  kebab: string;
  /** "Purchase orders": the sidebar label */
  label: string;
}

export function namesOf(model: string): Names {
  const words = model.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z])([A-Z][a-z])/g, '$1 $2').split(' ');
  const lower = words.map((w) => w.toLowerCase());
  const phrase = lower.join(' ');
  return {
    model,
    camel: model.charAt(0).toLowerCase() + model.slice(1),
    kebab: lower.join('-'),
    label: plural(phrase.charAt(0).toUpperCase() + phrase.slice(1)),
  };
}

function plural(s: string): string {
  if (/[^aeiou]y$/.test(s)) return `${s.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(s)) return `${s}es`;
  return `${s}s`;
}

/** "revoke all" / "revokeAll" / "revoke-all" -> { camel: revokeAll, kebab: revoke-all, pascal: RevokeAll } */
export function actionNamesOf(name: string): { camel: string; kebab: string; pascal: string; label: string } {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  const pascal = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  const label = words.join(' ');
  return { camel: pascal.charAt(0).toLowerCase() + pascal.slice(1), kebab: words.join('-'), pascal, label: label.charAt(0).toUpperCase() + label.slice(1) };
}
