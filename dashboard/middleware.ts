/** Middlewares: typed request state, security headers, and a read-only surface. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv, DashboardContext } from "./app_env.ts";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  // The station search is a GET form to /stations where JavaScript is off.
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function provideDashboard(dashboard: DashboardContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("dashboard", dashboard);
    await next();
  };
}

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  c.res.headers.set("X-Content-Type-Options", "nosniff");
  c.res.headers.set("Referrer-Policy", "no-referrer");
  c.res.headers.set("X-Frame-Options", "DENY");
};

/** Nothing on the dashboard writes: every other method is refused. */
export const readOnly: MiddlewareHandler = async (c, next) => {
  if (c.req.method !== "GET" && c.req.method !== "HEAD") {
    return c.text("Method Not Allowed", 405, { Allow: "GET, HEAD" });
  }
  await next();
};
