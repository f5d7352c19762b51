import type { MessageBlock } from './conversation-port';

/**
 * Escapes text for Slack's `mrkdwn` and message `text`: `&`, `<` and `>` become entities, as
 * Slack's "Formatting text" guide asks. Slack reads `<…>` as a control sequence (`<!channel>`,
 * `<@U123>`, `<https://x|label>`), so without this anything a user typed (a deny reason, a
 * resolution, a breaker name) could ping a whole channel or dress up a link. `*`, `_` and
 * backticks are left alone: they only style text.
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escapes every `mrkdwn` text object inside Block Kit blocks (section text and fields, context
 * elements, at any depth), leaving `plain_text` (which Slack never parses for mentions), button
 * values, ids and URLs as they are.
 */
export function escapeBlocks(blocks: readonly MessageBlock[]): MessageBlock[] {
  return blocks.map((b) => escapeNode(b) as MessageBlock);
}

function escapeNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(escapeNode);
  if (node === null || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  if (obj.type === 'mrkdwn' && typeof obj.text === 'string') return { ...obj, text: escapeSlackText(obj.text) };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) out[key] = escapeNode(value);
  return out;
}
