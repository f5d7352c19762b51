import { DefaultFailureConverter } from '@temporalio/common';

/*
 * The failure converter of every breachline client, worker and workflow bundle (issue 15): the
 * SDK's default one with `encodeCommonAttributes`, so a failure's message and stack trace leave
 * the process inside an encoded payload (`Failure.encodedAttributes`) that the payload codec
 * encrypts, instead of as plain fields of the history. Without it an activity failing with
 * "cannot remove ACLs of User:alice" would put the principal on the Temporal server in clear.
 *
 * The SDK loads this module by path (`DataConverter.failureConverterPath`): with `require` in a
 * worker or client process and through the bundler for the workflow sandbox. It must therefore
 * hold nothing else, and import nothing a workflow may not.
 */

/** The `failureConverter` named export the SDK looks for at `failureConverterPath`. */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
