@graph
Feature: Throttling, injected faults and errors
  Graph allows 1,500 presence requests per 30 seconds per application per
  tenant and answers 429 TooManyRequests with Retry-After beyond that. Every
  error carries Graph's error body. For resilience tests the fake injects
  seeded errors, and its journal records what each client asked.

  Background:
    Given the users alice, bob and carol
    And the Graph app "connector" is registered with application permissions Presence.Read.All and Presence.ReadWrite.All
    And it is 09:00

  @G-THR-1 @G-ERR-1
  Scenario: Beyond 1,500 requests in 30 seconds Graph answers 429
    When the Graph app "connector" GETs /v1.0/users/{alice}/presence 1501 times
    Then 1500 of those requests were answered 200
    And 1 of those requests were answered 429
    And the Graph response is the error 429 "TooManyRequests"
    And the Graph response has a Retry-After of 30 seconds
    When 30 seconds pass
    And the Graph app "connector" GETs /v1.0/users/{alice}/presence
    Then the Graph response status is 200

  @G-THR-1
  Scenario: The limit counts per application
    Given the Graph app "other" is registered with application permissions Presence.Read.All
    And the Graph limit is 3 requests per 30 seconds
    When the Graph app "connector" GETs /v1.0/users/{alice}/presence 4 times
    Then 1 of those requests were answered 429
    When the Graph app "other" GETs /v1.0/users/{alice}/presence
    Then the Graph response status is 200
    When 10 seconds pass
    And the Graph app "connector" GETs /v1.0/users/{alice}/presence
    Then the Graph response has a Retry-After of 20 seconds

  @G-ERR-1
  Scenario Outline: Injected faults answer in Graph's error shape
    Given the Graph fake answers 100% of requests with <status>
    When the Graph app "connector" GETs /v1.0/users/{alice}/presence
    Then the Graph response is the error <status> "<code>"
    When the Graph fake stops injecting faults
    And the Graph app "connector" GETs /v1.0/users/{alice}/presence
    Then the Graph response status is 200
    And the Graph journal has 2 requests by "connector"
    And the Graph journal has 1 request by "connector" answered <status>

    Examples:
      | status | code                |
      | 429    | TooManyRequests     |
      | 500    | generalException    |
      | 503    | serviceNotAvailable |
      | 504    | GatewayTimeout      |

  @G-ERR-1
  Scenario: An injected 503 says when to retry
    Given the Graph fake answers 100% of requests with 503
    When the Graph app "connector" GETs /v1.0/users/{alice}/presence
    Then the Graph response has a Retry-After of 5 seconds

  @G-ERR-1
  Scenario Outline: Bad requests are 4xx with Graph's error body
    When the Graph app "connector" <method>s <path> with:
      """
      <body>
      """
    Then the Graph response is the error <status> "<code>"

    Examples:
      | method | path                                           | body          | status | code                     |
      | GET    | /v1.0/users/{alice}/calendar                   |               | 400    | BadRequest               |
      | GET    | /beta/users/{alice}/presence                   |               | 400    | BadRequest               |
      | DELETE | /v1.0/users/{alice}/presence                   |               | 405    | Request_BadRequest       |
      | POST   | /v1.0/users/{alice}/presence/setPresence       | {"sessionId": | 400    | BadRequest               |
      | POST   | /v1.0/users/{alice}/presence/setPresence       | []            | 400    | BadRequest               |
      | POST   | /v1.0/communications/getPresencesByUserId      | {"ids": "x"}  | 400    | BadRequest               |
      | GET    | /v1.0/users/00000000-0000-4000-8000-000000000000/presence |    | 404    | Request_ResourceNotFound |
