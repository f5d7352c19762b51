/**
 * `notify.template`: the text a notify step posts, with placeholders filled from the incident.
 * Pure: the loader checks a template's placeholders, the workflow renders it.
 */

/** Every placeholder a template may use, and what it is replaced by. */
export const TEMPLATE_PLACEHOLDERS = ['incidentId', 'title', 'severity', 'principal', 'status'] as const;

/** A placeholder's name. */
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

/**
 * The template name release 0.2 documented as the default: it still means the built-in status
 * message, so runbooks that spelled it out keep posting what they posted.
 */
export const BUILTIN_SUMMARY_TEMPLATE = 'breach-summary';

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The placeholders in `template` that are not known, in order of appearance, each once. */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>(TEMPLATE_PLACEHOLDERS);
  const unknown: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!known.has(name) && !unknown.includes(name)) unknown.push(name);
  }
  return unknown;
}

/** The template with every known placeholder replaced (unknown ones are rejected at load). */
export function renderTemplate(template: string, values: Readonly<Record<TemplatePlaceholder, string>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? values[name as TemplatePlaceholder] : whole));
}
