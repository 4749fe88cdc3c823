import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AUTH_SCOPES, base64url, buildAuthorizeUrl, codeChallenge, completeSignIn, emailFromIdToken, getAccessToken,
  getSession, safeReturnPath, sessionExpired, signOut,
} from "../src/auth";
import { mockFetch, ok } from "./helpers";

beforeEach(() => sessionStorage.clear());
afterEach(() => vi.unstubAllGlobals());

function pendingState(): { verifier: string; state: string; returnTo: string } {
  return JSON.parse(sessionStorage.getItem("marquee.pkce")!);
}

function idToken(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => base64url(new TextEncoder().encode(JSON.stringify(o)));
  return `${enc({ alg: "RS256" })}.${enc(claims)}.sig`;
}

describe("PKCE", () => {
  it("computes the S256 challenge of RFC 7636's example", async () => {
    expect(await codeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
      .toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("builds the authorize URL with a fresh verifier, state and the return path", async () => {
    const url = new URL(await buildAuthorizeUrl("/shows/the-tempest?x=1"));
    const pending = pendingState();
    expect(url.origin + url.pathname).toBe(`${location.origin}/dev-auth/oauth2/authorize`);
    const p = url.searchParams;
    expect(p.get("response_type")).toBe("code");
    expect(p.get("client_id")).toBe("marquee-local");
    expect(p.get("redirect_uri")).toBe(`${location.origin}/auth/callback`);
    expect(p.get("scope")).toBe("openid email aws.cognito.signin.user.admin");
    expect(p.get("code_challenge_method")).toBe("S256");
    expect(p.get("state")).toBe(pending.state);
    expect(p.get("code_challenge")).toBe(await codeChallenge(pending.verifier));
    expect(pending.verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(pending.returnTo).toBe("/shows/the-tempest?x=1");
    await buildAuthorizeUrl("/");
    expect(pendingState().verifier).not.toBe(pending.verifier);
  });
});

describe("scopes", () => {
  it("asks for openid, email and the scope Cognito's GetUser needs (the backend reads the email with it)", async () => {
    const url = new URL(await buildAuthorizeUrl("/"));
    const scopes = url.searchParams.get("scope")!.split(" ");
    expect(scopes).toEqual(["openid", "email", "aws.cognito.signin.user.admin"]);
    expect(AUTH_SCOPES).toBe(scopes.join(" "));
    // One parameter, space-separated (RFC 6749 §3.3), form-encoded in the query.
    expect(url.search).toContain("scope=openid+email+aws.cognito.signin.user.admin&");
    expect(url.searchParams.getAll("scope")).toHaveLength(1);
  });
});

describe("callback and tokens", () => {
  it("trades the code and verifier for a token and returns to the saved page", async () => {
    await buildAuthorizeUrl("/tickets");
    const { state, verifier } = pendingState();
    const calls = mockFetch(() => ok({ access_token: "at", id_token: idToken({ email: "zoé@example.com" }),
                                       token_type: "Bearer", expires_in: 3600 }));
    const returnTo = await completeSignIn(`?code=c0de&state=${state}`, 1_000);
    expect(returnTo).toBe("/tickets");
    expect(calls[0].url).toBe(`${location.origin}/dev-auth/oauth2/token`);
    expect((calls[0].init.headers as Record<string, string>)["Content-Type"]).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(String(calls[0].init.body));
    expect(Object.fromEntries(form)).toEqual({
      grant_type: "authorization_code", client_id: "marquee-local", code: "c0de",
      redirect_uri: `${location.origin}/auth/callback`, code_verifier: verifier,
    });
    expect(getSession(1_000)).toEqual({ accessToken: "at", expiresAt: 3_601_000, email: "zoé@example.com" });
    expect(sessionStorage.getItem("marquee.pkce")).toBeNull();
  });

  it("rejects a callback whose state does not match, without calling the token endpoint", async () => {
    await buildAuthorizeUrl("/");
    const calls = mockFetch(() => ok({}));
    await expect(completeSignIn("?code=c&state=forged")).rejects.toThrow(/not valid/);
    expect(calls).toHaveLength(0);
  });

  it("a code can be used once: the verifier is gone after the first try", async () => {
    await buildAuthorizeUrl("/");
    const { state } = pendingState();
    mockFetch(() => ok({}, 400));
    await expect(completeSignIn(`?code=c&state=${state}`)).rejects.toThrow(/refused/);
    await expect(completeSignIn(`?code=c&state=${state}`)).rejects.toThrow(/not valid/);
  });

  it("reports the issuer's error", async () => {
    await expect(completeSignIn("?error=access_denied&error_description=Nope")).rejects.toThrow("Nope");
  });

  it("treats a token close to its expiry as gone, and says it expired", () => {
    sessionStorage.setItem("marquee.session", JSON.stringify({ accessToken: "t", expiresAt: 100_000 }));
    expect(getAccessToken(50_000)).toBe("t");
    expect(getAccessToken(80_000)).toBeNull();
    expect(sessionExpired(80_000)).toBe(true);
    sessionStorage.clear();
    expect(sessionExpired(0)).toBe(false);
  });

  it("only returns to same-site paths", () => {
    expect(safeReturnPath("/shows/x")).toBe("/shows/x");
    expect(safeReturnPath("//evil.example/")).toBe("/");
    expect(safeReturnPath("https://evil.example/")).toBe("/");
    expect(safeReturnPath("/auth/callback?code=1")).toBe("/");
    expect(safeReturnPath(undefined)).toBe("/");
  });

  it("reads the email of an ID token for display, and survives garbage", () => {
    expect(emailFromIdToken(idToken({ email: "a@b.c" }))).toBe("a@b.c");
    expect(emailFromIdToken("garbage")).toBeUndefined();
    expect(emailFromIdToken(undefined)).toBeUndefined();
  });

  it("signs out locally and at the issuer", () => {
    sessionStorage.setItem("marquee.session", JSON.stringify({ accessToken: "t", expiresAt: Date.now() + 1e6 }));
    const assign = vi.fn();
    vi.stubGlobal("location", { ...location, origin: location.origin, assign });
    signOut();
    vi.unstubAllGlobals();
    expect(getSession()).toBeNull();
    const url = new URL(assign.mock.calls[0][0]);
    expect(url.pathname).toBe("/dev-auth/logout");
    expect(url.searchParams.get("client_id")).toBe("marquee-local");
    expect(url.searchParams.get("logout_uri")).toBe(`${location.origin}/`);
  });
});
