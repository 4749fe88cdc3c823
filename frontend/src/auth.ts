/**
 * Sign-in with OAuth 2.0 authorization code + PKCE (RFC 7636), one code path for Cognito's
 * hosted UI and the local dev issuer (which mirrors Cognito's paths under /dev-auth).
 *
 * The access token lives in sessionStorage (gone when the tab closes); the PKCE verifier,
 * `state` and the page to return to live there too between the redirect and the callback.
 */

import { AUTH_BASE, AUTH_CLIENT_ID } from "./config";
import { t } from "./i18n";

const SESSION_KEY = "marquee.session";
const PENDING_KEY = "marquee.pkce";
/**
 * The scopes asked for: `openid email` for the ID token's email (shown in the header), and
 * `aws.cognito.signin.user.admin`, which lets the backend read the customer's verified email
 * with Cognito's GetUser and this access token (a Cognito access token carries no email).
 * The app client must allow all three (deploy/templates/auth.yaml).
 */
export const AUTH_SCOPES = "openid email aws.cognito.signin.user.admin";
/** Treat a token as expired a little early, so a request never leaves with a dying one. */
const EXPIRY_MARGIN_MS = 30_000;

export interface Session {
  accessToken: string;
  expiresAt: number;
  email?: string;
}

interface Pending {
  verifier: string;
  state: string;
  returnTo: string;
}

type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(): void {
  const session = getSession();
  listeners.forEach((listener) => listener(session));
}

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  bytes.forEach((b) => (binary += String.fromCharCode(b)));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function randomString(byteLength = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(byteLength)));
}

/** S256 code challenge: base64url(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export function redirectUri(): string {
  return `${location.origin}/auth/callback`;
}

function authUrl(path: string): string {
  return new URL(AUTH_BASE + path, location.origin).toString();
}

/** The email claim of an ID token, for display only (the API verifies the access token). */
export function emailFromIdToken(idToken: string | undefined): string | undefined {
  if (!idToken) return undefined;
  try {
    const payload = idToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0)));
    const claims = JSON.parse(json) as { email?: unknown };
    return typeof claims.email === "string" ? claims.email : undefined;
  } catch {
    return undefined;
  }
}

export function getSession(now: number = Date.now()): Session | null {
  const raw = sessionStorage.getItem(SESSION_KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    if (!session.accessToken || session.expiresAt - EXPIRY_MARGIN_MS <= now) return null;
    return session;
  } catch {
    return null;
  }
}

export function getAccessToken(now?: number): string | null {
  return getSession(now)?.accessToken ?? null;
}

/** True when a session was stored but has run out (so the UI says "expired", not "sign in"). */
export function sessionExpired(now: number = Date.now()): boolean {
  return sessionStorage.getItem(SESSION_KEY) !== null && getSession(now) === null;
}

export function clearSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
  emit();
}

/** Builds the authorize URL and remembers verifier, state and where to come back to. */
export async function buildAuthorizeUrl(returnTo: string): Promise<string> {
  const verifier = randomString(32);
  const state = randomString(16);
  const pending: Pending = { verifier, state, returnTo };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const params = new URLSearchParams({
    response_type: "code",
    client_id: AUTH_CLIENT_ID,
    redirect_uri: redirectUri(),
    scope: AUTH_SCOPES,
    state,
    code_challenge: await codeChallenge(verifier),
    code_challenge_method: "S256",
  });
  return `${authUrl("/oauth2/authorize")}?${params}`;
}

export async function signIn(returnTo: string = currentPath()): Promise<void> {
  location.assign(await buildAuthorizeUrl(returnTo));
}

export function signOut(): void {
  sessionStorage.removeItem(SESSION_KEY);
  const params = new URLSearchParams({ client_id: AUTH_CLIENT_ID, logout_uri: `${location.origin}/` });
  location.assign(`${authUrl("/logout")}?${params}`);
}

export function currentPath(): string {
  return location.pathname + location.search + location.hash;
}

export class SignInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SignInError";
  }
}

/**
 * Finishes sign-in on /auth/callback: checks `state`, trades the code (with the verifier)
 * for tokens, stores the session. Resolves with the path to return to.
 */
export async function completeSignIn(search: string, now: number = Date.now()): Promise<string> {
  const params = new URLSearchParams(search);
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY); // one use only, whatever happens next
  const pending = raw ? (JSON.parse(raw) as Pending) : null;
  const error = params.get("error");
  if (error) {
    throw new SignInError(params.get("error_description") || t("Sign-in failed ({error}).", { error }));
  }
  const code = params.get("code");
  if (!pending || !code || params.get("state") !== pending.state) {
    throw new SignInError(t("This sign-in link is not valid any more. Please sign in again."));
  }
  let response: Response;
  try {
    response = await fetch(authUrl("/oauth2/token"), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: AUTH_CLIENT_ID,
        code,
        redirect_uri: redirectUri(),
        code_verifier: pending.verifier,
      }).toString(),
    });
  } catch {
    throw new SignInError(t("The sign-in service could not be reached. Please try again."));
  }
  if (!response.ok) throw new SignInError(t("Sign-in was refused. Please try again."));
  const tokens = (await response.json()) as {
    access_token?: string; id_token?: string; token_type?: string; expires_in?: number;
  };
  if (!tokens.access_token || (tokens.token_type && tokens.token_type.toLowerCase() !== "bearer")) {
    throw new SignInError(t("The sign-in service sent no usable token."));
  }
  const session: Session = {
    accessToken: tokens.access_token,
    expiresAt: now + (tokens.expires_in ?? 3600) * 1000,
    email: emailFromIdToken(tokens.id_token),
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  emit();
  return safeReturnPath(pending.returnTo);
}

/** Only same-site paths: a crafted returnTo must never send the user elsewhere. */
export function safeReturnPath(path: string | undefined): string {
  if (!path || !path.startsWith("/") || path.startsWith("//") || path.startsWith("/auth/callback")) {
    return "/";
  }
  return path;
}
