@graph
Feature: Work location through Microsoft Graph
  Every presence carries workLocation {workLocationType, source, placeId}:
  the layers of the Teams model aggregated, manual > automatic > scheduled.
  setManualLocation and setAutomaticLocation take {workLocationType,
  placeId?}; clearAutomaticLocation drops the automatic layer, clearLocation
  the manual and the automatic one. Only a signed-in user writes their own
  work location (delegated Presence.ReadWrite); application tokens are
  refused. A change is a change of the presence object: the sequenceNumber
  grows and subscribers are notified (RULEBOOK G-LOC-1).

  Background:
    Given the users alice, bob and carol
    And the Graph app "connector" is registered with delegated permissions Presence.Read.All and Presence.ReadWrite
    And the Graph app "connector" acts as alice
    And it is 09:00

  @G-LOC-1 @G-GET-1
  Scenario: Every presence carries the work location, unspecified when no layer holds a signal
    When the Graph app "connector" GETs /v1.0/me/presence
    Then the Graph response status is 200
    And in the Graph response, "workLocation.workLocationType" is "unspecified"
    And in the Graph response, "workLocation.source" is "none"
    And in the Graph response, "workLocation.placeId" is null
    When the Graph app "connector" POSTs /v1.0/communications/getPresencesByUserId with:
      """
      {"ids": ["{alice}", "{bob}"]}
      """
    Then the Graph response has 2 presences
    And in the Graph response, "value[1].workLocation.source" is "none"

  @G-LOC-1
  Scenario: The layers through Graph: manual over automatic over the working hours
    Given alice works from the office on weekdays from 09:00 to 17:00
    Then Graph reads alice's work location as office, from her working hours
    When the Graph app "connector" POSTs /v1.0/me/presence/setAutomaticLocation with:
      """
      {"workLocationType": "remote"}
      """
    Then the Graph response status is 200
    And Graph reads alice's work location as remote, detected automatically
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setManualLocation with:
      """
      {"workLocationType": "office", "placeId": "eb706f15-137e-4722-b4d1-b601481d9251"}
      """
    Then the Graph response status is 200
    And Graph reads alice's work location as office at "eb706f15-137e-4722-b4d1-b601481d9251", set manually
    And alice's work location is office at "eb706f15-137e-4722-b4d1-b601481d9251", set manually
    When the Graph app "connector" POSTs /v1.0/me/presence/clearAutomaticLocation
    Then the Graph response status is 200
    And Graph reads alice's work location as office at "eb706f15-137e-4722-b4d1-b601481d9251", set manually
    When the Graph app "connector" POSTs /v1.0/me/presence/setAutomaticLocation with:
      """
      {"workLocationType": "timeOff", "placeId": null}
      """
    And the Graph app "connector" POSTs /v1.0/users/{alice}/presence/clearLocation
    Then the Graph response status is 200
    And Graph reads alice's work location as office, from her working hours
    When it is 17:00
    Then Graph reads alice's work location as unspecified

  @G-LOC-1
  Scenario: Within the automatic layer the signal with a place wins
    When the Graph app "connector" POSTs /v1.0/me/presence/setAutomaticLocation with:
      """
      {"workLocationType": "office", "placeId": "building-4"}
      """
    And 1 minute passes
    And alice's work location is detected as remote
    Then Graph reads alice's work location as office at "building-4", detected automatically

  @G-LOC-1 @G-GET-1 @G-SUB-1
  Scenario: A work location change grows the sequenceNumber and notifies subscribers, a repeat does neither
    Given a webhook listens at https://hooks.example.com/presence
    And the Graph app "connector" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "/communications/presences?$filter=id in ('{alice}')", "expirationDateTime": "{now+1 hour}"}
      """
    And the Graph response status is 201
    When the Graph app "connector" GETs /v1.0/me/presence
    And the Graph app "connector" POSTs /v1.0/me/presence/setManualLocation with:
      """
      {"workLocationType": "remote"}
      """
    And the Graph app "connector" GETs /v1.0/me/presence
    Then the Graph sequenceNumber of alice has grown
    And the webhook at https://hooks.example.com/presence has received 1 notification about alice
    When the Graph app "connector" POSTs /v1.0/me/presence/setManualLocation with:
      """
      {"workLocationType": "remote"}
      """
    And the Graph app "connector" GETs /v1.0/me/presence
    Then the Graph sequenceNumber of alice has not changed
    And the webhook at https://hooks.example.com/presence has received 1 notification about alice
    When alice's work location is detected as office
    And the Graph app "connector" POSTs /v1.0/me/presence/clearAutomaticLocation
    And the Graph app "connector" GETs /v1.0/me/presence
    Then the Graph sequenceNumber of alice has not changed
    And the webhook at https://hooks.example.com/presence has received 1 notification about alice
    When the Graph app "connector" POSTs /v1.0/me/presence/clearLocation
    And the Graph app "connector" GETs /v1.0/me/presence
    Then the Graph sequenceNumber of alice has grown
    And in the Graph response, "workLocation.source" is "none"
    And the webhook at https://hooks.example.com/presence has received 2 notifications about alice
    When it is 09:30
    And alice works from the office on weekdays 09:30–09:45
    Then the webhook at https://hooks.example.com/presence has received 3 notifications about alice
    When it is 09:45
    Then the webhook at https://hooks.example.com/presence has received 4 notifications about alice

  @G-LOC-1 @G-AUTH-1
  Scenario Outline: Who may write the work location, and what Graph refuses
    Given the Graph app "daemon" is registered with application permissions Presence.Read.All and Presence.ReadWrite.All
    And the Graph app "reader" is registered with delegated permissions Presence.Read.All
    And the Graph app "reader" acts as alice
    When the Graph app "<app>" POSTs <path> with:
      """
      <body>
      """
    Then the Graph response is the error <status> "<code>"

    Examples:
      | app       | path                                                       | body                                    | status | code                     |
      | daemon    | /v1.0/users/{alice}/presence/setManualLocation             | {"workLocationType": "office"}          | 403    | Forbidden                |
      | daemon    | /v1.0/users/{alice}/presence/setAutomaticLocation          | {"workLocationType": "office"}          | 403    | Forbidden                |
      | daemon    | /v1.0/users/{alice}/presence/clearLocation                 | {}                                      | 403    | Forbidden                |
      | daemon    | /v1.0/users/{alice}/presence/clearAutomaticLocation        | {}                                      | 403    | Forbidden                |
      | daemon    | /v1.0/me/presence/setManualLocation                        | {"workLocationType": "office"}          | 400    | BadRequest               |
      | reader    | /v1.0/me/presence/setManualLocation                        | {"workLocationType": "office"}          | 403    | Forbidden                |
      | connector | /v1.0/users/{bob}/presence/setManualLocation               | {"workLocationType": "office"}          | 403    | Forbidden                |
      | connector | /v1.0/me/presence/setManualLocation                        | {"workLocationType": "beach"}           | 400    | BadRequest               |
      | connector | /v1.0/me/presence/setManualLocation                        | {"workLocationType": "unknownFutureValue"} | 400 | BadRequest               |
      | connector | /v1.0/me/presence/setAutomaticLocation                     | {"placeId": "building-4"}               | 400    | BadRequest               |
      | connector | /v1.0/me/presence/setAutomaticLocation                     | {"workLocationType": 1}                 | 400    | BadRequest               |
      | connector | /v1.0/me/presence/setManualLocation                        | {"workLocationType": "office", "placeId": 7} | 400 | BadRequest              |
      | connector | /v1.0/me/presence/setManualLocation                        | {"workLocationType": "office", "placeId": "a\u0000b"} | 400 | BadRequest     |
      | connector | /v1.0/me/presence/setManualLocation                        | ["office"]                              | 400    | BadRequest               |
      | connector | /v1.0/me/presence/clearLocation                            | not json                                | 400    | BadRequest               |
      | connector | /v1.0/users/{upn:alice}/presence/setManualLocation         | {"workLocationType": "office"}          | 400    | BadRequest               |
      | connector | /v1.0/users/00000000-0000-0000-0000-000000000000/presence/setManualLocation | {"workLocationType": "office"} | 404 | Request_ResourceNotFound |
      | connector | /v1.0/communications/presences/{alice}/clearLocation       | {}                                      | 400    | BadRequest               |

  @G-LOC-1
  Scenario: A refused write leaves the work location as it was
    Given the Graph app "connector" POSTs /v1.0/me/presence/setManualLocation with:
      """
      {"workLocationType": "remote"}
      """
    When the Graph app "connector" POSTs /v1.0/me/presence/setManualLocation with:
      """
      {"workLocationType": "moon"}
      """
    Then the Graph response is the error 400 "BadRequest"
    And in the Graph response, "error.message" contains "valid: unspecified, office, remote, timeOff"
    And Graph reads alice's work location as remote, set manually

  @G-LOC-1
  Scenario: The work location actions answer POST only
    When the Graph app "connector" GETs /v1.0/me/presence/setManualLocation
    Then the Graph response is the error 405 "Request_BadRequest"
