@graph
Feature: Reading presence through Microsoft Graph
  GET /me/presence, /users/{id}/presence and /communications/presences/{id}
  answer the presence the Teams model aggregates, in Graph's shape: PascalCase
  values, @odata.context, outOfOfficeSettings, statusMessage and a
  sequenceNumber that grows with every change. getPresencesByUserId reads up
  to 650 users at once.

  Background:
    Given the users alice, bob and carol
    And the Graph app "connector" is registered with application permissions Presence.Read.All and Presence.ReadWrite.All

  @G-GET-1
  Scenario: A user's presence in Graph's shape
    Given alice is signed in to Teams on desktop
    When the Graph app "connector" GETs /v1.0/users/{alice}/presence
    Then the Graph response status is 200
    And in the Graph response, "@odata.context" is "https://graph.microsoft.com/v1.0/$metadata#users('{alice}')/presence/$entity"
    And in the Graph response, "id" is "{alice}"
    And in the Graph response, "availability" is "Available"
    And in the Graph response, "activity" is "Available"
    And in the Graph response, "statusMessage" is null
    And in the Graph response, "outOfOfficeSettings.isOutOfOffice" is false
    And in the Graph response, "outOfOfficeSettings.message" is null
    And in the Graph response, "sequenceNumber" starts with "A"

  @G-GET-1 @T-CALL-1
  Scenario Outline: Graph shows what Teams aggregates, PascalCase
    Given alice is signed in to Teams on desktop
    And <what happens>
    Then Graph reads alice as <graph>

    Examples:
      | what happens                         | graph                   |
      | alice and bob are in a Teams call    | Busy/InACall            |
      | alice, bob and carol are in a call   | Busy/InAConferenceCall  |
      | alice joins a Teams meeting          | Busy/InAMeeting         |
      | alice starts presenting              | DoNotDisturb/Presenting |
      | alice locks her computer             | Away                    |
      | alice signs out of every Teams client | Offline                |

  @G-GET-1 @T-OOF-1
  Scenario: Out of office shows in outOfOfficeSettings
    Given alice is signed in to Teams on desktop
    When alice turns automatic replies on
    And the Graph app "connector" GETs /v1.0/communications/presences/{alice}
    Then in the Graph response, "@odata.context" is "https://graph.microsoft.com/v1.0/$metadata#communications/presences/$entity"
    And in the Graph response, "activity" is "OutOfOffice"
    And in the Graph response, "outOfOfficeSettings.isOutOfOffice" is true

  @G-GET-1
  Scenario: The sequenceNumber grows with every change and only then
    Given alice is signed in to Teams on desktop
    When the Graph app "connector" GETs /v1.0/users/{alice}/presence
    And alice joins a Teams meeting
    And the Graph app "connector" GETs /v1.0/users/{alice}/presence
    Then the Graph sequenceNumber of alice has grown
    When 1 minute passes
    And the Graph app "connector" GETs /v1.0/users/{alice}/presence
    Then the Graph sequenceNumber of alice has not changed

  @G-GET-1 @G-MSG-1
  Scenario: Reading oneself shows the status message's dates, reading another user does not
    Given the Graph app "connector" is registered with delegated permissions Presence.Read.All and Presence.ReadWrite
    And alice is signed in to Teams on desktop
    And the Graph app "connector" acts as alice
    When the Graph app "connector" POSTs /v1.0/me/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "Back at 3 <b>pm</b>", "contentType": "text"},
                         "expiryDateTime": {"dateTime": "2026-01-05T17:00:00.0000000", "timeZone": "UTC"}}}
      """
    Then the Graph response status is 200
    When the Graph app "connector" GETs /v1.0/me/presence
    Then in the Graph response, "statusMessage.message.content" is "Back at 3 <b>pm</b>"
    And in the Graph response, "statusMessage.message.contentType" is "text"
    And in the Graph response, "statusMessage.expiryDateTime.dateTime" is "2026-01-05T17:00:00.0000000"
    And in the Graph response, "statusMessage.publishedDateTime" starts with "2026-01-05T00:00:00"
    When the Graph app "connector" acts as bob
    And the Graph app "connector" GETs /v1.0/users/{alice}/presence
    Then in the Graph response, "statusMessage.message.content" is "Back at 3 <b>pm</b>"
    And in the Graph response, "statusMessage.expiryDateTime" is absent
    And in the Graph response, "statusMessage.publishedDateTime" is absent

  @G-GET-2
  Scenario: Several users at once
    Given alice is signed in to Teams on desktop
    And bob is signed in to Teams on desktop
    And bob locks his computer
    When the Graph app "connector" POSTs /v1.0/communications/getPresencesByUserId with:
      """
      {"ids": ["{alice}", "{bob}", "{carol}"]}
      """
    Then the Graph response status is 200
    And the Graph response has 3 presences
    And in the Graph response, "value[0].id" is "{alice}"
    And in the Graph response, "value[0].availability" is "Available"
    And in the Graph response, "value[1].availability" is "Away"
    And in the Graph response, "value[2].availability" is "Offline"

  @G-GET-2
  Scenario Outline: At most 650 ids a request
    When the Graph app "connector" POSTs /v1.0/communications/getPresencesByUserId with:
      """
      {"ids": [<ids>]}
      """
    Then the Graph response status is <status>

    Examples:
      | ids       | status |
      | {ids:650} | 200    |
      | {ids:651} | 400    |
      |           | 400    |
