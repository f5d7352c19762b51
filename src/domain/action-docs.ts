import { allActions, type ActionDefinition, type JsonSchema } from './action-registry';

/**
 * The "Action reference" of `docs/runbooks.md`, generated from the action registry so the docs
 * cannot drift from what the loader accepts (a unit test compares the checked-in section).
 */

/** Markers around the generated section in `docs/runbooks.md`. */
export const ACTION_REFERENCE_BEGIN = '<!-- action-reference:begin (generated from the action registry; do not edit by hand) -->';
export const ACTION_REFERENCE_END = '<!-- action-reference:end -->';

/** The generated section, markers included. */
export function actionReference(): string {
  const out = [ACTION_REFERENCE_BEGIN, '', '## Action reference', ''];
  out.push('| action | kind | summary |', '|---|---|---|');
  for (const def of allActions()) out.push(`| [\`${def.name}\`](#action-${anchor(def.name)}) | ${def.kind} | ${cell(def.summary)} |`);
  for (const def of allActions()) out.push('', ...section(def));
  out.push('', ACTION_REFERENCE_END);
  return out.join('\n');
}

/** `docs/runbooks.md` with its action reference replaced by the current one (appended if absent). */
export function withActionReference(doc: string): string {
  const begin = doc.indexOf(ACTION_REFERENCE_BEGIN);
  const end = doc.indexOf(ACTION_REFERENCE_END);
  if (begin < 0 || end < begin) return `${doc.trimEnd()}\n\n${actionReference()}\n`;
  return doc.slice(0, begin) + actionReference() + doc.slice(end + ACTION_REFERENCE_END.length);
}

function section(def: ActionDefinition): string[] {
  const lines = [`### <a id="action-${anchor(def.name)}"></a>\`${def.name}\``, '', def.summary + '.', ''];
  lines.push(`- **Phase:** ${def.phase.started} → ${def.phase.completed}`);
  if (def.kind === 'generic' && def.runsIn === 'workflow') lines.push('- **Waits:** as long as `with.timeout` says (the step runs no activity for a `timeout` to bound)');
  else lines.push(`- **Default timeout:** ${def.defaultTimeout} (a step's \`timeout\` replaces it)`);
  if (def.kind === 'builtin') {
    lines.push(`- **Retry preset:** ${def.preset}`);
    lines.push(`- **Dry run:** ${def.dryRun.by === 'activity' ? `asks the \`${def.dryRun.activity}\` activity (it reads the cluster)` : 'planned by the workflow from the parameters'}`);
    lines.push(`- **Compensation:** ${def.compensation ?? 'none (`compensate: true` is refused)'}`);
  } else {
    if (def.runsIn === 'workflow') {
      // wait-for (issue 17): the workflow asks and waits itself; no activity, no retries.
      lines.push('- **Carried out by:** the workflow itself (no activity); records `DecisionAsked`, then `DecisionTaken` or `DecisionTimedOut`');
    } else {
      lines.push('- **Retry preset:** control-plane');
      lines.push(`- **Activity:** \`${def.activity}\`; records \`ActionPerformed\``);
    }
    lines.push(`- **Compensation:** ${def.compensation !== undefined ? `the \`${def.compensation}\` activity, with what the action returned` : 'none (`compensate: true` is refused)'}`);
  }
  lines.push('', ...paramTable(def.params as JsonSchema));
  // Step outputs (issue 17, item 4).
  lines.push(...outputTable(def));
  return lines;
}

/** The action's outputs, as later steps reference them; nothing for an action without any. */
function outputTable(def: ActionDefinition): string[] {
  const outputs = Object.entries(def.outputs ?? {});
  if (outputs.length === 0) return [];
  const rows = ['', `**Outputs** (a later step reads them as \`\${{ steps.<id>.outputs.<name> }}\`):`, '', '| output | type | description |', '|---|---|---|'];
  for (const [name, o] of outputs) rows.push(`| \`${name}\` | ${o.type} | ${cell(o.description)} |`);
  return rows;
}

function paramTable(params: JsonSchema): string[] {
  const props = (params.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((params.required ?? []) as string[]);
  if (Object.keys(props).length === 0) return ['No parameters.'];
  const rows = ['| parameter | type | default | description |', '|---|---|---|---|'];
  for (const [name, schema] of Object.entries(props)) {
    const def = schema.default !== undefined ? `\`${JSON.stringify(schema.default)}\`` : required.has(name) ? '*required*' : '—';
    rows.push(`| \`${name}\` | ${typeOf(schema)} | ${def} | ${cell(typeof schema.description === 'string' ? schema.description : '')} |`);
  }
  return rows;
}

/** A schema's type in a few words: `string`, `one of a, b`, `array of string`. */
function typeOf(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.type === 'array') {
    const items = (schema.items ?? {}) as JsonSchema;
    return `array of ${typeOf(items)}`;
  }
  const bounds = [schema.minimum !== undefined ? `≥ ${String(schema.minimum)}` : '', schema.maximum !== undefined ? `≤ ${String(schema.maximum)}` : ''].filter(Boolean).join(', ');
  const type = typeof schema.type === 'string' ? schema.type : 'value';
  return bounds !== '' ? `${type} (${bounds})` : type;
}

const anchor = (name: string): string => name.replace(/[^a-z0-9-]/g, '-');
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
