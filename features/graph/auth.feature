@graph
Feature: Tokens and permissions
  The fake issues tokens like Entra ID: client credentials give application
  permissions (roles), the password grant gives the consented delegated
  scopes, and a user who must use MFA cannot use the password grant. Every
  Graph request needs a valid bearer token of the user's tenant and the
  permission the operation documents.

  Background:
    Given the users alice, bob and carol
    And the Graph app "reader" is registered with application permissions Presence.Read.All
    And the Graph app "writer" is registered with application permissions Presence.ReadWrite.All
    And the Graph app "connector" is registered with delegated permissions Presence.Read and Presence.ReadWrite

  @G-AUTH-1
  Scenario: Tokens carry the granted permissions
    Then the Graph token of "reader" carries the roles Presence.Read.All
    When the Graph app "connector" acts as alice
    Then the Graph token of "connector" carries the scopes Presence.Read and Presence.ReadWrite

  @G-AUTH-1
  Scenario Outline: Sign-in failures answer as Entra ID does
    Given Graph sign-in requires multi-factor authentication for carol
    When <attempt>
    Then the sign-in is refused with <error> <code>

    Examples:
      | attempt                                                                 | error          | code          |
      | the Graph app "connector" tries to sign in as carol                     | invalid_grant  | AADSTS50076   |
      | the Graph app "connector" tries to sign in as alice with the password "x" | invalid_grant | AADSTS50126  |
      | the Graph app "reader" tries to sign in with a wrong secret             | invalid_client | AADSTS7000215 |

  @G-AUTH-1 @G-ERR-1
  Scenario Outline: A missing, forged or expired token is 401
    When a Graph client <token> GETs /v1.0/users/{alice}/presence
    Then the Graph response is the error 401 "InvalidAuthenticationToken"

    Examples:
      | token                 |
      | without a token       |
      | with a forged token   |
      | with an expired token |

  @G-TLS-1 @G-AUTH-1
  Scenario Outline: The Authorization scheme is matched in any case: <scheme>
    When the Graph app "reader" GETs /v1.0/users/{alice}/presence with the Authorization scheme "<scheme>"
    Then the Graph response status is <status>

    Examples:
      | scheme | status |
      | Bearer | 200    |
      | bearer | 200    |
      | BEARER | 200    |
      | bEaReR | 200    |
      | Basic  | 401    |

  @G-TLS-1 @G-ID-2 @G-AUTH-1 @G-ERR-1
  Scenario Outline: Graph takes only tokens the identity platform signed for this world: not one <token>
    When a Graph client <token> GETs /v1.0/users/{alice}/presence
    Then the Graph response is the error 401 "InvalidAuthenticationToken"
    And in the Graph response, "error.message" contains "<why>"

    Examples:
      | token                                        | why                            |
      | with a token of alg none                     | is not RS256                   |
      | with an HS256 token                          | is not RS256                   |
      | with a token signed by another key           | IDX10511                       |
      | with a token of an unpublished key           | IDX10503                       |
      | with a token of another tenant               | not a tenant of this directory |
      | with an expired token                        | the token is expired           |
      | with a token from before the world was reset | another world instance         |

  @G-AUTH-1
  Scenario Outline: Each operation needs its permission
    Given alice is signed in to Teams on desktop
    And the Graph app "connector" acts as <user>
    When the Graph app "<app>" <method>s <path> with:
      """
      <body>
      """
    Then the Graph response status is <status>

    Examples: application permissions
      | app    | user   | method | path                                               | body                                                                | status |
      | reader | itself | GET    | /v1.0/users/{alice}/presence                       |                                                                     | 200    |
      | reader | itself | POST   | /v1.0/communications/getPresencesByUserId          | {"ids": ["{alice}"]}                                                | 200    |
      | reader | itself | POST   | /v1.0/users/{alice}/presence/setPresence           | {"sessionId": "{app}", "availability": "Away", "activity": "Away"}  | 403    |
      | writer | itself | GET    | /v1.0/users/{alice}/presence                       |                                                                     | 200    |
      | writer | itself | POST   | /v1.0/users/{alice}/presence/setPresence           | {"sessionId": "{app}", "availability": "Away", "activity": "Away"}  | 200    |
      | writer | itself | GET    | /v1.0/me/presence                                  |                                                                     | 400    |

    Examples: delegated permissions
      | app       | user  | method | path                                             | body                                                                | status |
      | connector | alice | GET    | /v1.0/me/presence                                |                                                                     | 200    |
      | connector | alice | GET    | /v1.0/users/{alice}/presence                     |                                                                     | 200    |
      | connector | alice | GET    | /v1.0/users/{bob}/presence                       |                                                                     | 403    |
      | connector | alice | POST   | /v1.0/communications/getPresencesByUserId        | {"ids": ["{alice}"]}                                                | 403    |
      | connector | alice | POST   | /v1.0/me/presence/setPresence                    | {"sessionId": "{app}", "availability": "Away", "activity": "Away"}  | 200    |
      | connector | alice | POST   | /v1.0/users/{bob}/presence/setPresence           | {"sessionId": "{app}", "availability": "Away", "activity": "Away"}  | 403    |
      | connector | alice | POST   | /v1.0/users/{alice}/presence/setUserPreferredPresence | {"availability": "Busy", "activity": "Busy"}                   | 200    |

  @G-AUTH-1
  Scenario: Presence.Read.All lets a signed-in user read others and in bulk
    Given the Graph app "connector" is registered with delegated permissions Presence.Read.All
    And the Graph app "connector" acts as alice
    When the Graph app "connector" GETs /v1.0/users/{bob}/presence
    Then the Graph response status is 200
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setUserPreferredPresence with:
      """
      {"availability": "Busy", "activity": "Busy"}
      """
    Then the Graph response is the error 403 "Forbidden"
    And in the Graph response, "error.message" contains "Presence.ReadWrite"

  @G-AUTH-1
  Scenario: Another tenant's users are not found
    Given erin is a federated user from fabrikam
    When the Graph app "reader" GETs /v1.0/users/{erin}/presence
    Then the Graph response is the error 404 "Request_ResourceNotFound"

  @G-AUTH-1
  Scenario: Presence is addressed by object id, not by user principal name
    When the Graph app "reader" GETs /v1.0/users/alice@contoso.com/presence
    Then the Graph response is the error 400 "BadRequest"

  @G-AUTH-1
  Scenario: An SDK signs in again when its token expires
    When the Graph app "reader" GETs /v1.0/users/{alice}/presence
    And 2 hours pass
    And the Graph app "reader" GETs /v1.0/users/{alice}/presence
    Then the Graph response status is 200
    And the Graph journal has 2 requests by "reader" answered 200
