//! Sign-in with an OpenID Connect provider (ThaID, the national Digital ID): the authorization
//! code flow with PKCE, `state` and `nonce` checked, the ID token verified by the
//! `openidconnect` crate against the provider's published keys. What the flow needs between
//! leaving and coming back (state, nonce, PKCE verifier, where to go) travels in a short-lived
//! cookie signed with the deployment's key. Only the provider's subject identifier is kept.

use base64::Engine as _;
use domain::{
    ids::AccountId,
    service::{sessions, sign_in},
    settings::Oidc,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse as _,
    core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata},
};
use poem::{
    Request, Response, handler,
    http::{StatusCode, header},
    web::{Data, Query},
};
use serde::{Deserialize, Serialize};

use super::visitor::Cookies;
use crate::AppState;

/// How long a person may take at the provider.
const FLOW_SECONDS: i64 = 600;
const COOKIE: &str = "rabfang_oidc";

/// What the callback needs to finish the flow that a sign-in started.
#[derive(Serialize, Deserialize)]
struct Flow {
    state: String,
    nonce: String,
    verifier: String,
    next: String,
    expires_at: i64,
}

fn http_client() -> anyhow::Result<openidconnect::reqwest::Client> {
    Ok(openidconnect::reqwest::ClientBuilder::new()
        // Following redirects would open the client to server-side request forgery.
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()?)
}

/// The provider's client, from its discovery document.
async fn client(
    oidc: &Oidc,
    public_url: &str,
    http: &openidconnect::reqwest::Client,
) -> anyhow::Result<
    openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
> {
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(oidc.issuer.clone())?, http).await?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(oidc.client_id.clone()),
        Some(ClientSecret::new(oidc.client_secret.expose().to_string())),
    )
    .set_redirect_uri(RedirectUrl::new(format!(
        "{public_url}/sign-in/oidc/callback"
    ))?))
}

fn cookie_name(cookies: Cookies) -> String {
    cookies.named(COOKIE)
}

/// Starts the flow: to the provider, with a signed cookie to come back with.
#[handler]
pub async fn start(req: &Request, state: Data<&AppState>) -> Response {
    let Some(oidc) = state.ctx.settings.oidc.clone() else {
        return super::not_found(req);
    };
    let form = super::visitor::form(req);
    let next = sign_in::local_path(form.get("next").unwrap_or("/"));
    let started = async {
        let http = http_client()?;
        let client = client(&oidc, &state.ctx.settings.public_url, &http).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, csrf, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let flow = Flow {
            state: csrf.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            next,
            expires_at: domain::time::now_ms() / 1000 + FLOW_SECONDS,
        };
        Ok::<_, anyhow::Error>((url, flow))
    };
    match started.await {
        Ok((url, flow)) => {
            let json = serde_json::to_vec(&flow).unwrap_or_default();
            let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
            let signature = state.ctx.keys.sign("oidc-flow", payload.as_bytes());
            let cookies = Cookies::of(&state);
            let mut resp = super::see_other(url.as_str());
            resp.headers_mut().append(
                header::SET_COOKIE,
                cookies.set_for(
                    &cookie_name(cookies),
                    &format!("{payload}.{signature}"),
                    FLOW_SECONDS,
                ),
            );
            resp
        }
        Err(e) => {
            tracing::warn!(error = %e, "the OpenID Connect provider cannot be reached");
            super::message(req, StatusCode::BAD_GATEWAY, "oidc-unavailable")
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The flow of this browser, if its cookie is ours, unexpired and for this `state`.
fn flow_of(req: &Request, state: &AppState, returned_state: &str) -> Option<Flow> {
    let cookies = Cookies::of(state);
    let value = super::visitor::cookie_value(req, &cookie_name(cookies))?;
    let (payload, signature) = value.split_once('.')?;
    if !state
        .ctx
        .keys
        .verify("oidc-flow", payload.as_bytes(), signature)
    {
        return None;
    }
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let flow: Flow = serde_json::from_slice(&json).ok()?;
    let fresh = flow.expires_at > domain::time::now_ms() / 1000;
    let same = flow.state.len() == returned_state.len()
        && flow
            .state
            .bytes()
            .zip(returned_state.bytes())
            .fold(0u8, |d, (a, b)| d | (a ^ b))
            == 0;
    (fresh && same).then_some(flow)
}

/// Back from the provider: check the state, exchange the code (with the PKCE verifier), verify
/// the ID token and its nonce, and sign the person in.
#[handler]
pub async fn callback(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(oidc) = state.ctx.settings.oidc.clone() else {
        return super::not_found(req);
    };
    let (Some(code), Some(returned)) = (q.code, q.state) else {
        if let Some(error) = q.error {
            tracing::info!(%error, "the provider did not sign the person in");
        }
        return super::message(req, StatusCode::BAD_REQUEST, "oidc-failed");
    };
    let Some(flow) = flow_of(req, &state, &returned) else {
        return super::message(req, StatusCode::BAD_REQUEST, "oidc-failed");
    };
    let db = &state.ctx.db;
    let signed = async {
        let http = http_client()?;
        let client = client(&oidc, &state.ctx.settings.public_url, &http).await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.clone()))
            .request_async(&http)
            .await?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| anyhow::anyhow!("the provider sent no ID token"))?;
        let claims =
            id_token.claims(&client.id_token_verifier(), &Nonce::new(flow.nonce.clone()))?;
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_string());
        let account = sign_in::complete_external(
            db,
            claims.issuer().as_str(),
            claims.subject().as_str(),
            name.as_deref(),
        )
        .await?;
        if let Some(old) = super::visitor::session_id(req) {
            sessions::end(db, &old).await?;
        }
        Ok::<_, anyhow::Error>(sessions::start(db, AccountId(account.id)).await?)
    };
    match signed.await {
        Ok(id) => {
            let cookies = Cookies::of(&state);
            let mut resp = super::see_other(&flow.next);
            let headers = resp.headers_mut();
            headers.append(
                header::SET_COOKIE,
                cookies.set(&cookies.session(), Some(&id)),
            );
            headers.append(header::SET_COOKIE, cookies.set(&cookie_name(cookies), None));
            resp
        }
        Err(e) => {
            tracing::warn!(error = %e, "signing in with OpenID Connect failed");
            super::message(req, StatusCode::BAD_REQUEST, "oidc-failed")
        }
    }
}

/// The provider's name for the sign-in button, when one is configured.
pub fn provider_name(state: &AppState) -> Option<String> {
    state.ctx.settings.oidc.as_ref().map(|o| o.name.clone())
}

/// A page that posts to [`start`] lets that form's redirect go to the provider: browsers apply
/// `form-action` to where a form's answer redirects too.
pub fn allow_provider(state: &AppState, mut resp: Response) -> Response {
    let Some(oidc) = &state.ctx.settings.oidc else {
        return resp;
    };
    let Ok(url) = url::Url::parse(&oidc.issuer) else {
        return resp;
    };
    let origin = url.origin().ascii_serialization();
    let csp = crate::hardening::PAGE_CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {origin}"),
    );
    if let Ok(value) = poem::http::HeaderValue::from_str(&csp) {
        resp.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    resp
}
