/** Build-time configuration (Vite env), the same code for the local issuer and Cognito. */

const env = import.meta.env;

/** `/dev-auth` (the local issuer, same origin) or `https://<domain>.auth.<region>.amazoncognito.com`. */
export const AUTH_BASE: string = (env.VITE_AUTH_BASE || "/dev-auth").replace(/\/+$/, "");
export const AUTH_CLIENT_ID: string = env.VITE_AUTH_CLIENT_ID || "marquee-local";
/** Same origin as the SPA by default (CloudFront routes /api/*); a full URL for a split domain. */
export const API_BASE: string = (env.VITE_API_BASE || "").replace(/\/+$/, "");
/** The venue's language: for a visitor whose browser asks for neither French nor English. */
export const VENUE_LANGUAGE: string = env.VITE_VENUE_LANGUAGE || "fr";
/** 24-hour times in English too ("19:30", not "7:30 PM"), as a French venue prefers. */
export const VENUE_24_HOUR: boolean = (env.VITE_VENUE_24_HOUR || "true") !== "false";
