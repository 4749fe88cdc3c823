/** The signed-in session as a Preact hook, updated on sign-in, sign-out and expiry. */

import { useEffect, useState } from "preact/hooks";
import { getSession, onSessionChange, type Session } from "./auth";

export function useSession(): Session | null {
  const [session, setSession] = useState(() => getSession());
  useEffect(() => onSessionChange(setSession), []);
  return session;
}
