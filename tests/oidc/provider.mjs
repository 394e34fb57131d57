// A real OpenID Connect provider for the sign-in tests (npm `oidc-provider`, with its
// development login and consent pages). Arguments: port, the client's redirect URI, the client's
// secret. Prints "ready" once it listens. Any login name is accepted and becomes the subject.
import Provider from 'oidc-provider';

const [port, redirectUri, secret] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'rabfang',
    client_secret: secret,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  // Put the profile's claims (the name) in the ID token, as ThaID does, not only at userinfo.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  claims: { openid: ['sub'], profile: ['name'] },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id, name: `Tester ${id}` }; } };
  },
  cookies: { keys: ['rabfang-test-cookie-key'] },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
