/**
 * Sign-in by pasting a token (or open the dashboard with `#token=...`, as `npm start` prints), or, when the
 * stack names an identity provider, through its sign-in page (OIDC code + PKCE, data/oidc.ts).
 */
import { useState } from 'preact/hooks';

export function SignInView({
  reason,
  onToken,
  provider,
}: {
  reason: string;
  onToken: (token: string) => void;
  provider?: { name: string; signIn: () => void };
}) {
  const [token, setToken] = useState('');
  return (
    <main class="sign-in">
      <h1>Job queue dashboard</h1>
      {reason && (
        <p role="alert" class="error">
          {reason}
        </p>
      )}
      {provider && (
        <p>
          <button type="button" class="primary" onClick={provider.signIn}>
            Sign in with {provider.name}
          </button>
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <label for="token">Access token</label>
        <textarea
          id="token"
          rows={4}
          value={token}
          autoComplete="off"
          spellcheck={false}
          onInput={(e) => setToken((e.currentTarget as HTMLTextAreaElement).value)}
        />
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
      <p class="muted">
        Locally, <code>npm start</code> prints a link that signs you in; <code>npm run token</code> prints a
        token.
      </p>
    </main>
  );
}
