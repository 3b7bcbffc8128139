@graph
Feature: JSON batching
  POST /v1.0/$batch carries up to 20 requests with relative URLs, headers,
  bodies and dependsOn. Graph answers 200 with a response per request, in
  any order; each request inside is authorised, throttled, faulted and
  journalled as if it had been sent alone, and one whose dependency failed
  answers 424. A malformed or nested batch is refused whole with 400.

  Background:
    Given the users alice, bob and carol
    And the Graph app "connector" is registered with application permissions Presence.Read.All, Presence.ReadWrite.All and User.Read.All
    And alice is signed in to Teams on desktop
    And bob is signed in to Teams on desktop
    And bob joins a Teams meeting

  @G-BATCH-1
  Scenario: Three presences and a user in one batch
    When the Graph app "connector" POSTs /v1.0/$batch with:
      """
      {"requests": [
        {"id": "1", "method": "GET", "url": "/users/{alice}/presence"},
        {"id": "2", "method": "GET", "url": "/communications/presences/{bob}"},
        {"id": "3", "method": "GET", "url": "users/{carol}/presence"},
        {"id": "4", "method": "GET", "url": "/users?$filter=userPrincipalName eq '{upn:bob}'&$select=id"}]}
      """
    Then the Graph response status is 200
    And the batch response has 4 responses
    And the batch response "1" has status 200
    And in the batch response "1", "body.availability" is "Available"
    And in the batch response "2", "body.activity" is "InAMeeting"
    And in the batch response "3", "body.availability" is "Offline"
    And in the batch response "4", "body.value[0].id" is "{bob}"
    And the Graph journal has 5 requests by "connector" answered 200
    And the Graph journal's last request is POST /v1.0/$batch by "connector" answered 200

  @G-BATCH-1 @G-SET-1
  Scenario: A write and the read that depends on it
    When the Graph app "connector" POSTs /v1.0/$batch with:
      """
      {"requests": [
        {"id": "read", "method": "GET", "url": "/users/{alice}/presence", "dependsOn": ["write"]},
        {"id": "write", "method": "POST", "url": "/users/{alice}/presence/setPresence",
         "headers": {"Content-Type": "application/json"},
         "body": {"sessionId": "{app}", "availability": "Busy", "activity": "InACall", "expirationDuration": "PT1H"}}]}
      """
    Then the batch response "write" has status 200
    And in the batch response "read", "body.availability" is "Busy"
    And in the batch response "read", "body.activity" is "InACall"
    And Graph reads alice as Busy/InACall

  @G-BATCH-1
  Scenario: A request whose dependency failed answers 424
    When the Graph app "connector" POSTs /v1.0/$batch with:
      """
      {"requests": [
        {"id": "1", "method": "POST", "url": "/users/{alice}/presence/setPresence",
         "headers": {"Content-Type": "application/json"},
         "body": {"sessionId": "{app}", "availability": "Busy", "activity": "Busy"}},
        {"id": "2", "method": "GET", "url": "/users/{alice}/presence", "dependsOn": ["1"]},
        {"id": "3", "method": "GET", "url": "/users/{bob}/presence"}]}
      """
    Then the batch response "1" has status 400
    And in the batch response "1", "body.error.code" is "BadRequest"
    And the batch response "2" has status 424
    And in the batch response "2", "body.error.code" is "FailedDependency"
    And the batch response "3" has status 200
    And the Graph journal has 2 requests by "connector" answered 200

  @G-BATCH-1 @G-THR-1
  Scenario: Each request of a batch counts against the limit and carries its own Retry-After
    Given the Graph limit is 3 requests per 30 seconds
    When the Graph app "connector" batches 20 GET requests of /users/{alice}/presence
    Then the Graph response status is 200
    And 3 batch responses have status 200
    And 17 batch responses have status 429, each with a Retry-After
    And the Graph journal has 17 requests by "connector" answered 429
    When 30 seconds pass
    And the Graph app "connector" GETs /v1.0/users/{alice}/presence
    Then the Graph response status is 200

  @G-BATCH-1 @G-ERR-1
  Scenario: Injected faults strike the requests inside, not the batch
    Given the Graph fake answers 100% of requests with 503
    When the Graph app "connector" batches 2 GET requests of /users/{alice}/presence
    Then the Graph response status is 200
    And 2 batch responses have status 503, each with a Retry-After
    And in the batch response "1", "body.error.code" is "serviceNotAvailable"

  @G-BATCH-1 @G-AUTH-1
  Scenario: Each request is authorised as if sent alone
    Given the Graph app "reader" is registered with application permissions Presence.Read.All
    When the Graph app "reader" POSTs /v1.0/$batch with:
      """
      {"requests": [
        {"id": "read", "method": "GET", "url": "/users/{alice}/presence"},
        {"id": "write", "method": "POST", "url": "/users/{alice}/presence/setPresence",
         "headers": {"content-type": "application/json"},
         "body": {"sessionId": "{app}", "availability": "Away", "activity": "Away"}},
        {"id": "user", "method": "GET", "url": "/users/{upn:alice}"}]}
      """
    Then the batch response "read" has status 200
    And the batch response "write" has status 403
    And the batch response "user" has status 403
    And in the batch response "user", "body.error.code" is "Authorization_RequestDenied"

  @G-BATCH-1
  Scenario Outline: At most 20 requests a batch
    When the Graph app "connector" batches <n> GET requests of /users/{alice}/presence
    Then the Graph response status is <status>

    Examples:
      | n  | status |
      | 1  | 200    |
      | 20 | 200    |
      | 21 | 400    |

  @G-BATCH-1 @G-ERR-1
  Scenario Outline: A malformed or nested batch is refused whole
    When the Graph app "connector" POSTs /v1.0/$batch with:
      """
      <body>
      """
    Then the Graph response is the error 400 "BadRequest"
    And the Graph journal has 1 request by "connector"

    Examples:
      | body                                                                                                                                         |
      | {"requests": []}                                                                                                                             |
      | {"requests": [{"id": "1", "method": "GET", "url": "/me"}, {"id": "1", "method": "GET", "url": "/me"}]}                                       |
      | {"requests": [{"id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/me"}]}                                                   |
      | {"requests": [{"id": "1", "method": "POST", "url": "/$batch", "headers": {"Content-Type": "application/json"}, "body": {"requests": []}}]}   |
      | {"requests": [{"id": "1", "method": "POST", "url": "/communications/getPresencesByUserId", "body": {"ids": ["{alice}"]}}]}                   |
      | {"requests": [{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["2"]}, {"id": "2", "method": "GET", "url": "/me", "dependsOn": ["1"]}]} |
      | {"requests": [{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["9"]}]}                                                               |
      | {"requests": [{"id": 1, "method": "GET", "url": "/me"}]}                                                                                     |
      | {"requests": [{"id": "1", "method": "GET",                                                                                                   |

  @G-BATCH-1 @G-AUTH-1
  Scenario: A batch without a token is 401
    When a Graph client without a token POSTs /v1.0/$batch
    Then the Graph response is the error 401 "InvalidAuthenticationToken"
