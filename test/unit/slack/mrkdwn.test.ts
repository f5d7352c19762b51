import { describe, expect, it } from 'vitest';
import { escapeBlocks, escapeSlackText } from '../../../src/slack/mrkdwn';

describe('escapeSlackText', () => {
  it.each([
    ['<!channel> please look', '&lt;!channel&gt; please look'],
    ['<!here>', '&lt;!here&gt;'],
    ['ping <@U0COMMANDER>', 'ping &lt;@U0COMMANDER&gt;'],
    ['<https://evil.example|your bank>', '&lt;https://evil.example|your bank&gt;'],
    ['A & B', 'A &amp; B'],
    // Already-escaped input stays visible as typed rather than turning back into markup.
    ['&lt;!channel&gt;', '&amp;lt;!channel&amp;gt;'],
    ['*bold* _it_ `code`', '*bold* _it_ `code`'],
  ])('%s', (input, expected) => {
    expect(escapeSlackText(input)).toBe(expected);
  });
});

describe('escapeBlocks', () => {
  it('escapes mrkdwn text at any depth, not plain_text, ids or button values', () => {
    const value = JSON.stringify({ note: '<!here>' });
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: '<!channel> title' } },
      { type: 'section', block_id: 'b<1>', text: { type: 'mrkdwn', text: 'closed: <!channel>' }, fields: [{ type: 'mrkdwn', text: '<@U1>' }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '<http://x|y>' }] },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Go' }, value }] },
    ];
    const out = JSON.stringify(escapeBlocks(blocks));
    expect(out).not.toMatch(/closed: <!channel>|"<@U1>"|"<http:\/\/x\|y>"/);
    expect(escapeBlocks(blocks)).toEqual([
      blocks[0],
      { type: 'section', block_id: 'b<1>', text: { type: 'mrkdwn', text: 'closed: &lt;!channel&gt;' }, fields: [{ type: 'mrkdwn', text: '&lt;@U1&gt;' }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '&lt;http://x|y&gt;' }] },
      blocks[3],
    ]);
  });
});
