/** What went wrong, in red and announced to screen readers; nothing when nothing did. */
export function ErrorAlert({ message }: { message?: string | undefined }) {
  if (!message) return null;
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}
