import { CHAT_METHODS } from './chat';
import type { MethodHandler } from './context';
import { CONVERSATION_METHODS } from './conversations';
import { PIN_METHODS } from './pins';
import { USER_METHODS } from './users';
import { VIEW_METHODS } from './views';

export { SlackApiError, type MethodContext, type MethodHandler } from './context';

/** Every Web API method the sandbox answers, by Slack's method name. */
export const WEB_API_METHODS: Readonly<Record<string, MethodHandler>> = {
  ...USER_METHODS,
  ...CHAT_METHODS,
  ...CONVERSATION_METHODS,
  ...VIEW_METHODS,
  ...PIN_METHODS,
};
