@graph
Feature: The identity platform: discovery, keys, user realm and every grant
  Microsoft's identity libraries (MSAL, azidentity, @azure/identity) read
  their authority before they ask for a token: the OpenID configuration,
  the signing keys, the realm of a user who signs in with a password, and
  instance discovery for an authority they do not know. The fake answers
  on login.microsoftonline.com as Microsoft Entra ID does, and the tokens
  of its token endpoint are the ones Graph accepts. Every step here is an
  HTTP request through the in-process client.

  Background:
    Given the users alice, bob and carol
    And the Graph app "reader" is registered with application permissions Presence.Read.All
    And the Graph app "connector" is registered with delegated permissions Presence.Read and Presence.ReadWrite

  @G-ID-1 @G-TLS-1
  Scenario Outline: The OpenID configuration of <authority>
    When a client GETs /<segment>/v2.0/.well-known/openid-configuration from Entra ID
    Then the Entra ID response status is 200
    And in the Entra ID response, "issuer" is "https://login.microsoftonline.com/<issuer>/v2.0"
    And in the Entra ID response, "token_endpoint" is "https://login.microsoftonline.com/<path>/oauth2/v2.0/token"
    And in the Entra ID response, "authorization_endpoint" is "https://login.microsoftonline.com/<path>/oauth2/v2.0/authorize"
    And in the Entra ID response, "device_authorization_endpoint" is "https://login.microsoftonline.com/<path>/oauth2/v2.0/devicecode"
    And in the Entra ID response, "jwks_uri" is "https://login.microsoftonline.com/<path>/discovery/v2.0/keys"
    And in the Entra ID response, "end_session_endpoint" is "https://login.microsoftonline.com/<path>/oauth2/v2.0/logout"
    And in the Entra ID response, "id_token_signing_alg_values_supported" is ["RS256"]
    And in the Entra ID response, "cloud_instance_name" is "microsoftonline.com"
    And in the Entra ID response, "tenant_region_scope" is <region>
    And the Entra ID response has the fields response_types_supported, subject_types_supported, scopes_supported and claims_supported

    Examples:
      | authority                         | segment                 | issuer     | path          | region |
      | the tenant by its id              | {tenant}                | {tenant}   | {tenant}      | "EU"   |
      | the tenant by its domain name     | contoso.com             | {tenant}   | {tenant}      | "EU"   |
      | the tenant by its initial domain  | contoso.onmicrosoft.com | {tenant}   | {tenant}      | "EU"   |
      | common                            | common                  | {tenantid} | common        | null   |
      | organizations                     | organizations           | {tenantid} | organizations | null   |

  @G-ID-1 @G-ID-2
  Scenario: The signing keys are published RSA keys, and Graph's tokens are signed with one of them
    When a client GETs /{tenant}/discovery/v2.0/keys from Entra ID
    Then the Entra ID response status is 200
    And every entry of "keys" in the Entra ID response has the fields kty, use, kid, x5t, n, e and x5c
    And in the Entra ID response, "keys[0].kty" is "RSA"
    And in the Entra ID response, "keys[0].issuer" is "https://login.microsoftonline.com/{tenant}/v2.0"
    And the Graph token of "reader" is signed by a key in the Entra ID response

  @G-ID-1
  Scenario Outline: The user realm of a user of the tenant (the path spelt <spelling>)
    When a client GETs /common/<realm>/{upn:alice}?api-version=1.0 from Entra ID
    Then the Entra ID response status is 200
    And in the Entra ID response, "ver" is "1.0"
    And in the Entra ID response, "account_type" is "Managed"
    And in the Entra ID response, "domain_name" is "contoso.com"
    And in the Entra ID response, "cloud_instance_name" is "microsoftonline.com"
    And in the Entra ID response, "cloud_audience_urn" is "urn:federation:MicrosoftOnline"

    Examples:
      | spelling        | realm     |
      | as documented   | UserRealm |
      | in lower case   | userrealm |

  @G-ID-1
  Scenario: A domain no tenant has verified is of no realm the fake knows
    When a client GETs /common/UserRealm/someone@example.org?api-version=1.0 from Entra ID
    Then the Entra ID response status is 200
    And in the Entra ID response, "account_type" is "Unknown"
    And in the Entra ID response, "domain_name" is absent

  @G-ID-1
  Scenario Outline: Instance discovery answers for the authority it is asked about (<host>)
    When a client GETs /common/discovery/instance?api-version=1.1&authorization_endpoint=https://<host>/{tenant}/oauth2/v2.0/authorize from Entra ID
    Then the Entra ID response status is 200
    And in the Entra ID response, "tenant_discovery_endpoint" is "https://<host>/{tenant}/v2.0/.well-known/openid-configuration"
    And in the Entra ID response, "metadata[0].preferred_network" is "login.microsoftonline.com"
    And in the Entra ID response, "metadata[0].aliases" is ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"]
    And in the Entra ID response, "metadata[1].preferred_network" is <own>

    Examples:
      | host                      | own                 |
      | login.microsoftonline.com | absent              |
      | login.contoso.test        | "login.contoso.test" |

  @G-ID-2
  Scenario: Client credentials give an application token and nothing else
    When the Graph app "reader" POSTs /{tenant}/oauth2/v2.0/token to Entra ID with:
      | grant_type    | client_credentials                   |
      | client_secret | {secret}                             |
      | scope         | https://graph.microsoft.com/.default |
    Then the Entra ID response status is 200
    And in the Entra ID response, "token_type" is "Bearer"
    And in the Entra ID response, "expires_in" is 3599
    And in the Entra ID response, "ext_expires_in" is 3599
    And in the Entra ID response, "scope" is "https://graph.microsoft.com/.default"
    And in the Entra ID response, "id_token" is absent
    And in the Entra ID response, "refresh_token" is absent
    And in the Entra ID response, "client_info" is absent
    And in the Entra ID response's access_token header, "alg" is "RS256"
    And the Entra ID response's access_token header has the field kid
    And in the Entra ID response's access_token, "aud" is "https://graph.microsoft.com"
    And in the Entra ID response's access_token, "iss" is "https://sts.windows.net/{tenant}/"
    And in the Entra ID response's access_token, "tid" is "{tenant}"
    And in the Entra ID response's access_token, "appid" is "{app}"
    And in the Entra ID response's access_token, "roles" is ["Presence.Read.All"]
    And in the Entra ID response's access_token, "scp" is absent
    And the Entra ID response's access_token has the field oid
    And the Entra ID response's access_token is valid for 3599 seconds from its iat

  @G-ID-2
  Scenario: The password grant with openid, profile and offline_access adds an ID token, client_info and a refresh token
    When the Graph app "connector" POSTs /{tenant}/oauth2/v2.0/token to Entra ID with:
      | grant_type  | password                                                               |
      | username    | {upn:alice}                                                            |
      | password    | {password:alice}                                                       |
      | scope       | https://graph.microsoft.com/Presence.Read openid profile offline_access |
      | client_info | 1                                                                      |
    Then the Entra ID response status is 200
    And in the Entra ID response, "token_type" is "Bearer"
    And in the Entra ID response, "scope" is "https://graph.microsoft.com/Presence.Read profile openid"
    And the Entra ID response has the fields access_token, expires_in, ext_expires_in, id_token, client_info and refresh_token
    And in the Entra ID response's access_token, "scp" is "Presence.Read"
    And in the Entra ID response's access_token, "oid" is "{alice}"
    And in the Entra ID response's access_token, "roles" is absent
    And in the Entra ID response's id_token header, "alg" is "RS256"
    And in the Entra ID response's id_token, "aud" is "{app}"
    And in the Entra ID response's id_token, "iss" is "https://login.microsoftonline.com/{tenant}/v2.0"
    And in the Entra ID response's id_token, "tid" is "{tenant}"
    And in the Entra ID response's id_token, "oid" is "{alice}"
    And in the Entra ID response's id_token, "preferred_username" is "{upn:alice}"
    And in the Entra ID response's id_token, "name" is "Alice"
    And in the Entra ID response's id_token, "ver" is "2.0"
    And the Entra ID response's id_token has the field sub
    And the Entra ID response's id_token is valid for 3599 seconds from its iat
    And in the Entra ID response's client_info, "uid" is "{alice}"
    And in the Entra ID response's client_info, "utid" is "{tenant}"

  @G-ID-2
  Scenario Outline: A delegated grant answers <what>
    When the Graph app "connector" POSTs /{tenant}/oauth2/v2.0/token to Entra ID with:
      | grant_type  | password         |
      | username    | {upn:bob}        |
      | password    | {password:bob}   |
      | scope       | <scope>          |
      | client_info | <client_info>    |
    Then the Entra ID response status is 200
    And in the Entra ID response, "id_token" is <id_token>
    And in the Entra ID response, "refresh_token" is <refresh_token>
    And in the Entra ID response, "client_info" is <client_info_field>

    Examples:
      | what                                 | scope                        | client_info | id_token | refresh_token | client_info_field |
      | an ID token only for openid          | Presence.Read openid         |             | present  | absent        | absent            |
      | a refresh token only for offline_access | Presence.Read offline_access |          | absent   | present       | absent            |
      | client_info only when asked          | Presence.Read                | 1           | absent   | absent        | present           |
      | the access token alone otherwise     | Presence.Read                |             | absent   | absent        | absent            |

  @G-ID-2 @G-AUTH-1
  Scenario: The refresh grant gets a new access token that Graph takes
    When the Graph app "connector" POSTs /{tenant}/oauth2/v2.0/token to Entra ID with:
      | grant_type | password                                                  |
      | username   | {upn:alice}                                               |
      | password   | {password:alice}                                          |
      | scope      | https://graph.microsoft.com/Presence.Read offline_access  |
    And the Graph app "connector" POSTs /{tenant}/oauth2/v2.0/token to Entra ID with:
      | grant_type    | refresh_token                                            |
      | refresh_token | {refresh_token}                                          |
      | scope         | https://graph.microsoft.com/Presence.Read offline_access |
    Then the Entra ID response status is 200
    And in the Entra ID response, "token_type" is "Bearer"
    And in the Entra ID response, "refresh_token" is present
    And in the Entra ID response's access_token, "scp" is "Presence.Read"
    And in the Entra ID response's access_token, "oid" is "{alice}"
    When the Graph app "connector" uses the access_token of the Entra ID response
    And the Graph app "connector" GETs /v1.0/me/presence
    Then the Graph response status is 200
    And the Graph journal's last request is GET /v1.0/me/presence by "connector" as alice answered 200

  @G-ID-2 @G-AUTH-1
  Scenario: Client credentials with a certificate registered for the app
    Given the Graph app "reader" has a certificate registered
    When the Graph app "reader" signs in with its certificate
    Then the Entra ID response status is 200
    And in the Entra ID response's access_token, "appid" is "{app}"
    And in the Entra ID response's access_token, "appidacr" is "2"
    And in the Entra ID response's access_token, "roles" is ["Presence.Read.All"]
    When the Graph app "reader" uses the access_token of the Entra ID response
    And the Graph app "reader" GETs /v1.0/users/{alice}/presence
    Then the Graph response status is 200

  @G-ID-2
  Scenario: A certificate the app has not registered is refused
    Given the Graph app "reader" has a certificate registered
    When the Graph app "reader" signs in with a certificate it has not registered
    Then the sign-in is refused with invalid_client AADSTS700027
    And the Entra ID response status is 401

  @G-ID-2
  Scenario Outline: G-ID-2 errors: <case> is refused with <code>
    Given Graph sign-in requires multi-factor authentication for carol
    And erin is a federated user from fabrikam
    When a client POSTs /<tenant>/oauth2/v2.0/token to Entra ID with:
      | grant_type    | <grant>    |
      | client_id     | <client>   |
      | client_secret | <secret>   |
      | username      | <username> |
      | password      | <password> |
      | scope         | <scope>    |
    Then the sign-in is refused with <error> <code>
    And the Entra ID response status is <status>

    Examples:
      | case                                | tenant          | grant              | client                               | secret          | username    | password         | scope                                   | status | error               | code          |
      | a bad client secret                 | {tenant}        | client_credentials | {app:reader}                         | not-the-secret  |             |                  | https://graph.microsoft.com/.default    | 401    | invalid_client      | AADSTS7000215 |
      | an app the tenant does not know     | {tenant}        | client_credentials | 5a0c7e1d-2b3f-4c5d-8e9f-0a1b2c3d4e5f |  s3cret         |             |                  | https://graph.microsoft.com/.default    | 400    | unauthorized_client | AADSTS700016  |
      | a bad password                      | {tenant}        | password           | {app:connector}                      |                 | {upn:alice} | wrong            | Presence.Read                           | 400    | invalid_grant       | AADSTS50126   |
      | a user who must use MFA             | {tenant}        | password           | {app:connector}                      |                 | {upn:carol} | {password:carol} | Presence.Read                           | 400    | invalid_grant       | AADSTS50076   |
      | a user of another tenant, no guest  | {tenant}        | password           | {app:connector}                      |                 | {upn:erin}  | {password:erin}  | Presence.Read                           | 400    | invalid_grant       | AADSTS50020   |
      | a scope Graph does not have         | {tenant}        | password           | {app:connector}                      |                 | {upn:alice} | {password:alice} | https://graph.microsoft.com/Presence.Fly | 400   | invalid_scope       | AADSTS70011   |
      | an unknown tenant                   | nowhere.example | client_credentials | {app:reader}                         | {secret:reader} |             |                  | https://graph.microsoft.com/.default    | 400    | invalid_tenant      | AADSTS90002   |
