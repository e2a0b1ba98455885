// A refusal or failure shown where it happened, announced to screen readers.
export function Alert({ message }: { message: string | null | undefined }) {
  if (message === null || message === undefined || message === '') return null;
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}
