/**
 * Plain-words reasons for what `oauth4webapi` refuses during an OpenID Connect sign-in, for the
 * `details` of `BUNTIME_ERR_AUTH_OIDC_FAILED`. They name the claim or field at fault and never
 * hold a token or a code.
 */
import * as oauth from "oauth4webapi";

type Record_ = Record<string, unknown>;

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record_)[key] : undefined;
}

/** Why a claim of the ID token did not match, from oauth4webapi's `cause` ({ claim, claims }). */
function claimMismatch(cause: unknown): string {
  const claim = String(field(cause, "claim"));
  const claims = field(cause, "claims");
  if (claim === "nonce") return "the id_token's nonce does not match";
  if (claim === "iss") return `the id_token names issuer ${String(field(claims, "iss"))}`;
  if (claim === "aud" || claim === "azp") return `the id_token is for another client (${claim})`;
  return `the id_token's ${claim} claim does not match`;
}

/** Why a time claim was refused: `exp` past or `nbf` ahead of the clock, past the leeway. */
function timeRefused(cause: unknown): string {
  const claim = String(field(cause, "claim"));
  const tolerance = field(cause, "tolerance");
  const leeway = typeof tolerance === "number" ? ` (leeway ${tolerance} s, oidc.clockSkew)` : "";
  if (claim === "exp") return `the id_token has expired${leeway}`;
  if (claim === "auth_time") return "the sign-in at the issuer is too old (auth_time)";
  return `the id_token's ${claim} is out of range${leeway}`;
}

/** The reason to show for `error`, thrown by oauth4webapi (or by fetch under it). */
export function describeOidcError(error: unknown): string {
  if (error instanceof oauth.ResponseBodyError) {
    return `the token endpoint answered ${error.status} (${error.error})`;
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    return `the issuer refused: ${error.error_description ?? error.error}`;
  }
  if (error instanceof oauth.OperationProcessingError) {
    const cause = error.cause;
    switch (error.code) {
      case oauth.JSON_ATTRIBUTE_COMPARISON:
        if (field(cause, "attribute") === "issuer") {
          const named = String(field(field(cause, "body"), "issuer"));
          return `the discovery document names another issuer: ${named}`;
        }
        break;
      case oauth.JWT_CLAIM_COMPARISON:
        return claimMismatch(cause);
      case oauth.JWT_TIMESTAMP_CHECK:
        return timeRefused(cause);
      case oauth.RESPONSE_IS_NOT_CONFORM:
        return `${String(field(cause, "url"))} answered ${String(field(cause, "status"))}`;
    }
  }
  if (error instanceof Error && error.name === "TimeoutError") return "the issuer did not answer in time";
  return error instanceof Error ? error.message : String(error);
}
