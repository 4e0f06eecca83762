/** The stack's own error: the command reports it as one line, without a stack trace. */
export class StackError extends Error {
  override name = "StackError";
}
