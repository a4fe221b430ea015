// The OpenID provider the tests sign in with: oidc-provider, a certified implementation, with
// nothing but its configuration here. The tests write one JSON file and name it in
// ENTITLE_TEST_OIDC_CONFIG:
//   { "port": 4100, "client": {client metadata}, "jwks": {"keys": [private JWKs]},
//     "accounts": "/path/accounts.json", "cookie_key": "..." }
// The accounts file, { "<sub>": {"name": ..., "email": ..., "country": ..., "groups": [...],
// "disabled": false} }, is read on every lookup, so a test disables an account by rewriting
// it ("disabled": true refuses it tokens). Keys rotate by starting the provider again with a
// new first key (the first one signs).
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.env.ENTITLE_TEST_OIDC_CONFIG, 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;

function accounts() {
  return JSON.parse(readFileSync(config.accounts, 'utf8'));
}

const provider = new Provider(issuer, {
  clients: [config.client],
  jwks: config.jwks,
  cookies: { keys: [config.cookie_key] },
  // The claims entitle maps, in the ID token itself (not only from the userinfo endpoint).
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'country', 'groups'],
  },
  // Refresh tokens for the code flow without offline_access (which this provider grants only
  // with prompt=consent): entitle refreshes with them to learn whether an account still signs in.
  async issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // A disabled account gets no tokens: the token endpoint finds no account for its code and
  // refuses the grant. (The development sign-in pages accept any login name, so that is the
  // place a disabled account is refused; an unknown name is an account without claims.)
  async findAccount(ctx, sub, token) {
    const found = accounts()[sub] ?? {};
    if (found.disabled && token) return undefined;
    return {
      accountId: sub,
      async claims() {
        const { disabled, ...claims } = found;
        return { sub, email_verified: true, ...claims };
      },
    };
  },
});

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
