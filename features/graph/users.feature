@graph
Feature: Looking users up through Microsoft Graph
  Connectors look their users up before they touch presence: the signed-in
  user at /me, one user at /users/{id or userPrincipalName}, and the
  directory at /users with $filter, $select, $top and @odata.nextLink
  paging. User.Read reads the signed-in user; User.ReadBasic.All reads the
  basic profile of everyone (other properties are null); User.Read.All
  reads everything, delegated or application. Presence itself is addressed
  by object id only.

  Background:
    Given the users alice, bob and carol
    And the Graph app "directory" is registered with application permissions User.Read.All
    And the Graph app "directory" is registered with delegated permissions User.Read

  @G-USR-1
  Scenario: The signed-in user at /me
    Given the Graph app "directory" acts as alice
    When the Graph app "directory" GETs /v1.0/me
    Then the Graph response status is 200
    And in the Graph response, "@odata.context" is "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
    And in the Graph response, "id" is "{alice}"
    And in the Graph response, "userPrincipalName" is "alice@contoso.com"
    And in the Graph response, "mail" is "alice@contoso.com"
    And in the Graph response, "displayName" is "Alice"
    And in the Graph response, "jobTitle" is null
    And the Graph journal's last request is GET /v1.0/me by "directory" as alice answered 200

  @G-USR-1
  Scenario: An application token has no signed-in user
    When the Graph app "directory" GETs /v1.0/me
    Then the Graph response is the error 400 "BadRequest"

  @G-USR-1
  Scenario: A user by userPrincipalName or by object id
    Given in the directory, bob's mail is "robert@contoso.com"
    When the Graph app "directory" GETs /v1.0/users/{upn:bob}
    Then the Graph response status is 200
    And in the Graph response, "id" is "{bob}"
    And in the Graph response, "mail" is "robert@contoso.com"
    When the Graph app "directory" GETs /v1.0/users/{bob}?$select=displayName,userType
    Then in the Graph response, "@odata.context" is "https://graph.microsoft.com/v1.0/$metadata#users(displayName,userType)/$entity"
    And in the Graph response, "userType" is "Member"
    And in the Graph response, "displayName" is "Bob"
    And in the Graph response, "id" is absent

  @G-USR-1 @G-ERR-1
  Scenario Outline: Lookups that find no one, or ask for what is not there
    When the Graph app "directory" GETs <path>
    Then the Graph response is the error <status> "<code>"

    Examples:
      | path                                                | status | code                     |
      | /v1.0/users/nobody@contoso.com                      | 404    | Request_ResourceNotFound |
      | /v1.0/users/00000000-0000-4000-8000-000000000000    | 404    | Request_ResourceNotFound |
      | /v1.0/users/{bob}?$select=shoeSize                  | 400    | BadRequest               |
      | /v1.0/users?$top=1000                               | 400    | BadRequest               |
      | /v1.0/users?$top=0                                  | 400    | BadRequest               |
      | /v1.0/users?$orderby=displayName                    | 400    | BadRequest               |
      | /v1.0/users?$skiptoken=not-a-token                  | 400    | BadRequest               |

  @G-USR-1 @G-AUTH-1
  Scenario: Presence takes the object id, not the userPrincipalName
    Given the Graph app "directory" is registered with application permissions User.Read.All and Presence.Read.All
    When the Graph app "directory" GETs /v1.0/users/{upn:alice}
    Then the Graph response status is 200
    When the Graph app "directory" GETs /v1.0/users/{upn:alice}/presence
    Then the Graph response is the error 400 "BadRequest"
    And in the Graph response, "error.message" contains "object id"
    When the Graph app "directory" GETs /v1.0/users/{alice}/presence
    Then the Graph response status is 200

  @G-USR-1
  Scenario Outline: Filtering the directory
    Given in the directory, carol's mail is "c.smith@contoso.com"
    When the Graph app "directory" GETs /v1.0/users with $filter <filter>
    Then the Graph response status is 200
    And the Graph response lists the users <users>

    Examples:
      | filter                                   | users          |
      | userPrincipalName eq 'BOB@contoso.com'   | bob            |
      | mail eq 'c.smith@contoso.com'            | carol          |
      | mail eq 'carol@contoso.com'              | none           |
      | id in ('{alice}', '{carol}')             | alice and carol |
      | userPrincipalName in ('{upn:bob}')       | bob            |
      | displayName eq 'Alice'                   | alice          |

  @G-USR-1
  Scenario Outline: Filters Graph does not take here are 400
    When the Graph app "directory" GETs /v1.0/users with $filter <filter>
    Then the Graph response is the error 400 "<code>"

    Examples:
      | filter                                                                    | code                     |
      | startswith(displayName,'a')                                               | Request_UnsupportedQuery |
      | mail eq 'a@contoso.com' or mail eq 'b@contoso.com'                        | Request_UnsupportedQuery |
      | id in ('{alice}'                                                          | Request_UnsupportedQuery |
      | id in ('1','2','3','4','5','6','7','8','9','10','11','12','13','14','15','16') | BadRequest          |

  @G-USR-1
  Scenario: Paging with $top and @odata.nextLink
    When the Graph app "directory" GETs /v1.0/users?$top=2&$select=userPrincipalName
    Then the Graph response has 2 users
    And the Graph response lists the users alice and bob
    And in the Graph response, "@odata.nextLink" starts with "https://graph.microsoft.com/v1.0/users?"
    When the Graph app "directory" follows the @odata.nextLink
    Then the Graph response lists the users carol
    And in the Graph response, "@odata.nextLink" is absent
    And in the Graph response, "value[0].displayName" is absent

  @G-USR-1
  Scenario Outline: The permission matrix of users
    Given the Graph app "reader" is registered with <kind> permissions <permissions>
    And the Graph app "reader" acts as <whom>
    When the Graph app "reader" GETs <path>
    Then the Graph response status is <status>

    Examples:
      | kind        | permissions                     | whom   | path                     | status |
      | delegated   | User.Read                       | alice  | /v1.0/me                 | 200    |
      | delegated   | User.Read                       | alice  | /v1.0/users/{upn:alice}  | 200    |
      | delegated   | User.Read                       | alice  | /v1.0/users/{bob}        | 403    |
      | delegated   | User.Read                       | alice  | /v1.0/users              | 403    |
      | delegated   | Presence.Read.All               | alice  | /v1.0/me                 | 403    |
      | delegated   | User.ReadBasic.All              | alice  | /v1.0/users/{bob}        | 200    |
      | delegated   | User.ReadBasic.All              | alice  | /v1.0/users              | 200    |
      | delegated   | User.Read.All                   | alice  | /v1.0/users/{upn:carol}  | 200    |
      | application | User.ReadBasic.All              | itself | /v1.0/users              | 200    |
      | application | User.Read.All                   | itself | /v1.0/users/{upn:carol}  | 200    |
      | application | Presence.Read.All               | itself | /v1.0/users/{bob}        | 403    |
      | application | User.Read.All                   | itself | /v1.0/me                 | 400    |

  @G-USR-1 @G-ERR-1
  Scenario: Missing user permissions say which ones the API takes
    Given the Graph app "reader" is registered with application permissions Presence.Read.All
    When the Graph app "reader" GETs /v1.0/users
    Then the Graph response is the error 403 "Authorization_RequestDenied"
    And in the Graph response, "error.message" contains "User.ReadBasic.All, User.Read.All"

  @G-USR-1
  Scenario: User.ReadBasic.All reads the basic profile only
    Given the Graph app "basic" is registered with application permissions User.ReadBasic.All
    When the Graph app "basic" GETs /v1.0/users/{bob}?$select=displayName,mail,userType,accountEnabled
    Then in the Graph response, "displayName" is "Bob"
    And in the Graph response, "mail" is "bob@contoso.com"
    And in the Graph response, "userType" is null
    And in the Graph response, "accountEnabled" is null
    When the Graph app "directory" GETs /v1.0/users/{bob}?$select=userType,accountEnabled
    Then in the Graph response, "userType" is "Member"
    And in the Graph response, "accountEnabled" is true

  @G-USR-1
  Scenario: Users of another tenant are not in the directory
    Given dave is a federated user from fabrikam
    When the Graph app "directory" GETs /v1.0/users/{dave}
    Then the Graph response is the error 404 "Request_ResourceNotFound"
    When the Graph app "directory" GETs /v1.0/users
    Then the Graph response lists the users alice, bob and carol

  @G-USR-1 @G-THR-1
  Scenario: Looking users up does not count against the presence limit
    Given the Graph limit is 2 requests per 30 seconds
    And the Graph app "directory" is registered with application permissions User.Read.All and Presence.Read.All
    When the Graph app "directory" GETs /v1.0/users 3 times
    Then 3 of those requests were answered 200
    When the Graph app "directory" GETs /v1.0/users/{alice}/presence 3 times
    Then 2 of those requests were answered 200
    And 1 of those requests were answered 429
