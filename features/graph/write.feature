@graph
Feature: Writing presence through Microsoft Graph
  setPresence writes the calling application's presence session, which
  Teams aggregates with the user's other sessions; clearPresence ends it;
  setUserPreferredPresence sets the user-configured state; setStatusMessage
  sets the note. Graph accepts only the documented pairs and durations.

  Background:
    Given the users alice, bob and carol
    And the Graph app "connector" is registered with application permissions Presence.Read.All and Presence.ReadWrite.All

  @G-SET-1 @T-SRC-2
  Scenario: An application's session shows in the user's presence
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setPresence with:
      """
      {"sessionId": "{app}", "availability": "Busy", "activity": "InACall", "expirationDuration": "PT1H"}
      """
    Then the Graph response status is 200
    And alice's presence is Busy/InACall
    And alice has 1 presence session
    And the Graph journal's last request is POST /v1.0/users/{alice}/presence/setPresence by "connector" answered 200

  @G-SET-1
  Scenario Outline: setPresence accepts only the documented pairs
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setPresence with:
      """
      {"sessionId": "{app}", "availability": "<availability>", "activity": "<activity>"}
      """
    Then the Graph response status is <status>

    Examples:
      | availability | activity          | status |
      | Available    | Available         | 200    |
      | Busy         | InACall           | 200    |
      | Busy         | InAConferenceCall | 200    |
      | Away         | Away              | 200    |
      | DoNotDisturb | Presenting        | 200    |
      | busy         | inACall           | 200    |
      | Busy         | Busy              | 400    |
      | Busy         | InAMeeting        | 400    |
      | DoNotDisturb | DoNotDisturb      | 400    |
      | BeRightBack  | BeRightBack       | 400    |
      | Offline      | OffWork           | 400    |
      | Available    | OutOfOffice       | 400    |
      | Happy        | Available         | 400    |

  @G-SET-1
  Scenario Outline: expirationDuration lies between 5 minutes and 4 hours
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setPresence with:
      """
      {"sessionId": "{app}", "availability": "Busy", "activity": "InACall", "expirationDuration": "<duration>"}
      """
    Then the Graph response status is <status>

    Examples:
      | duration | status |
      | PT5M     | 200    |
      | PT4H     | 200    |
      | PT1H30M  | 200    |
      | PT4M59S  | 400    |
      | PT4H1M   | 400    |
      | P1D      | 400    |
      | 1 hour   | 400    |

  @G-SET-1
  Scenario: Without expirationDuration the session ends after 5 minutes
    Given it is 09:00
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setPresence with:
      """
      {"sessionId": "{app}", "availability": "Busy", "activity": "InACall"}
      """
    Then Graph reads alice as Busy/InACall
    When it is 09:05
    Then Graph reads alice as Offline

  @G-SET-1
  Scenario: The sessionId is the calling application's id
    Given the Graph app "other" is registered with application permissions Presence.ReadWrite.All
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setPresence with:
      """
      {"sessionId": "{app:other}", "availability": "Away", "activity": "Away"}
      """
    Then the Graph response is the error 400 "BadRequest"
    And in the Graph response, "error.message" contains "calling application's id"

  @G-SET-2
  Scenario: An Available session that is not refreshed fades
    Given it is 09:00
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setPresence with:
      """
      {"sessionId": "{app}", "availability": "Available", "activity": "Available", "expirationDuration": "PT1H"}
      """
    Then Graph reads alice as Available
    When it is 09:05
    Then Graph reads alice as Available/AvailableInactive
    When it is 09:10
    Then Graph reads alice as Away
    When it is 10:00
    Then Graph reads alice as Offline

  @G-SET-2
  Scenario: Refreshing the session keeps it Available
    Given it is 09:00
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setPresence with:
      """
      {"sessionId": "{app}", "availability": "Available", "activity": "Available", "expirationDuration": "PT1H"}
      """
    And it is 09:04
    And the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setPresence with:
      """
      {"sessionId": "{app}", "availability": "Available", "activity": "Available", "expirationDuration": "PT1H"}
      """
    And it is 09:08
    Then Graph reads alice as Available

  @G-CLR-1 @T-AGG-4
  Scenario: Clearing the only session leaves the user Offline
    Given the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setPresence with:
      """
      {"sessionId": "{app}", "availability": "DoNotDisturb", "activity": "Presenting", "expirationDuration": "PT1H"}
      """
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/clearPresence with:
      """
      {"sessionId": "{app}"}
      """
    Then the Graph response status is 200
    And Graph reads alice as Offline/Offline

  @G-CLR-1
  Scenario: Clearing keeps the user's other sessions
    Given alice is signed in to Teams on desktop
    And the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setPresence with:
      """
      {"sessionId": "{app}", "availability": "Busy", "activity": "InACall", "expirationDuration": "PT1H"}
      """
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/clearPresence with:
      """
      {"sessionId": "{app}"}
      """
    Then Graph reads alice as Available

  @G-CLR-1
  Scenario: Clearing a session that does not exist is 404
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/clearPresence with:
      """
      {"sessionId": "{app}"}
      """
    Then the Graph response is the error 404 "NotFound"

  @G-PREF-1 @T-AGG-1 @T-AGG-3
  Scenario: Preferred presence overrides sessions and needs one
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setUserPreferredPresence with:
      """
      {"availability": "DoNotDisturb", "activity": "DoNotDisturb"}
      """
    Then the Graph response status is 200
    And Graph reads alice as Offline
    When alice signs in to Teams on desktop
    Then Graph reads alice as DoNotDisturb
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/clearUserPreferredPresence with:
      """
      {}
      """
    Then the Graph response status is 200
    And Graph reads alice as Available

  @G-PREF-1
  Scenario Outline: Preferred presence accepts the six user-configured pairs
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setUserPreferredPresence with:
      """
      {"availability": "<availability>", "activity": "<activity>"}
      """
    Then the Graph response status is <status>

    Examples:
      | availability | activity     | status |
      | Available    | Available    | 200    |
      | Busy         | Busy         | 200    |
      | DoNotDisturb | DoNotDisturb | 200    |
      | BeRightBack  | BeRightBack  | 200    |
      | Away         | Away         | 200    |
      | Offline      | OffWork      | 200    |
      | Busy         | InACall      | 400    |
      | DoNotDisturb | Presenting   | 400    |

  @G-PREF-1 @T-MAN-2
  Scenario Outline: Preferred presence set without a duration expires by its kind
    Given alice is signed in to Teams on desktop
    And alice locks her computer
    And it is 09:00
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setUserPreferredPresence with:
      """
      {"availability": "<availability>", "activity": "<activity>"}
      """
    And <before> pass
    Then Graph reads alice as <shown>
    When 1 minute passes
    Then Graph reads alice as Away

    Examples:
      | availability | activity     | before        | shown           |
      | Busy         | Busy         | 1439 minutes  | Busy            |
      | DoNotDisturb | DoNotDisturb | 1439 minutes  | DoNotDisturb    |
      | BeRightBack  | BeRightBack  | 10079 minutes | BeRightBack     |
      | Offline      | OffWork      | 10079 minutes | Offline/OffWork |

  @G-MSG-1
  Scenario: A status message without expiry stays; one with expiry ends
    Given the Graph app "connector" is registered with delegated permissions Presence.Read and Presence.ReadWrite
    And the Graph app "connector" acts as alice
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "Working from home", "contentType": "text"}}}
      """
    And 30 days pass
    And the Graph app "connector" GETs /v1.0/me/presence
    Then in the Graph response, "statusMessage.message.content" is "Working from home"
    When the Graph app "connector" POSTs /v1.0/me/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "In the lab", "contentType": "text"},
                         "expiryDateTime": {"dateTime": "{now+2 hours}", "timeZone": "UTC"}}}
      """
    And 2 hours pass
    And the Graph app "connector" GETs /v1.0/me/presence
    Then in the Graph response, "statusMessage" is null

  @G-MSG-1
  Scenario: Status messages are plain text only
    Given the Graph app "connector" is registered with delegated permissions Presence.Read and Presence.ReadWrite
    And the Graph app "connector" acts as alice
    When the Graph app "connector" POSTs /v1.0/me/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "<p>hi</p>", "contentType": "html"}}}
      """
    Then the Graph response is the error 400 "BadRequest"

  @G-MSG-1 @G-AUTH-1
  Scenario: Status messages take delegated permissions only
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "Set by a daemon", "contentType": "text"}}}
      """
    Then the Graph response is the error 403 "Forbidden"

  @G-MSG-1 @G-GET-1
  Scenario: Setting, replacing, expiring and clearing the status message each grow the sequenceNumber
    Given the Graph app "connector" is registered with delegated permissions Presence.Read and Presence.ReadWrite
    And the Graph app "connector" acts as alice
    And it is 09:00
    When the Graph app "connector" GETs /v1.0/me/presence
    And the Graph app "connector" POSTs /v1.0/me/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "In the lab", "contentType": "text"}}}
      """
    And the Graph app "connector" GETs /v1.0/me/presence
    Then the Graph sequenceNumber of alice has grown
    And in the Graph response, "availability" is "Offline"
    When the Graph app "connector" POSTs /v1.0/me/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "Back at 3", "contentType": "text"},
                         "expiryDateTime": {"dateTime": "{now+1 hour}", "timeZone": "UTC"}}}
      """
    And the Graph app "connector" GETs /v1.0/me/presence
    Then the Graph sequenceNumber of alice has grown
    When 1 hour passes
    And the Graph app "connector" GETs /v1.0/me/presence
    Then the Graph sequenceNumber of alice has grown
    And in the Graph response, "statusMessage" is null
    When 1 minute passes
    And the Graph app "connector" GETs /v1.0/me/presence
    Then the Graph sequenceNumber of alice has not changed
    When the Graph app "connector" POSTs /v1.0/me/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "Working from home", "contentType": "text"}}}
      """
    And the Graph app "connector" GETs /v1.0/me/presence
    Then the Graph sequenceNumber of alice has grown
    When the Graph app "connector" POSTs /v1.0/me/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "", "contentType": "text"}}}
      """
    And the Graph app "connector" GETs /v1.0/me/presence
    Then the Graph sequenceNumber of alice has grown
    And in the Graph response, "statusMessage" is null

  @G-MSG-1 @G-SUB-1
  Scenario: Subscribers hear of every change of the status message, and of nothing else
    Given the Graph app "connector" is registered with delegated permissions Presence.Read.All and Presence.ReadWrite
    And the Graph app "connector" acts as alice
    And a webhook listens at https://hooks.example.com/presence
    And it is 09:00
    And the Graph app "connector" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+1 hour}"}
      """
    And the Graph response status is 201
    When the Graph app "connector" POSTs /v1.0/me/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "In the lab", "contentType": "text"}}}
      """
    Then the webhook at https://hooks.example.com/presence has received 1 notification about alice
    When 1 minute passes
    And the Graph app "connector" POSTs /v1.0/me/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "Back at 3", "contentType": "text"},
                         "expiryDateTime": {"dateTime": "{now+30 minutes}", "timeZone": "UTC"}}}
      """
    Then the webhook at https://hooks.example.com/presence has received 2 notifications about alice
    When 30 minutes pass
    Then the webhook at https://hooks.example.com/presence has received 3 notifications about alice
    When the Graph app "connector" POSTs /v1.0/me/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "Lunch", "contentType": "text"}}}
      """
    And the Graph app "connector" POSTs /v1.0/me/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "", "contentType": "text"}}}
      """
    Then the webhook at https://hooks.example.com/presence has received 5 notifications about alice
    When the Graph app "connector" POSTs /v1.0/me/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "", "contentType": "text"}}}
      """
    And 10 minutes pass
    Then the webhook at https://hooks.example.com/presence has received 5 notifications about alice

  @G-MSG-1
  Scenario Outline: The 280-character limit counts characters, not bytes
    Given the Graph app "connector" is registered with delegated permissions Presence.Read and Presence.ReadWrite
    And the Graph app "connector" acts as alice
    When the Graph app "connector" POSTs /v1.0/me/presence/setStatusMessage with:
      """
      {"statusMessage": {"message": {"content": "<content>", "contentType": "text"}}}
      """
    Then the Graph response status is <status>

    Examples: 280 characters of two bytes each pass, one more is refused
      | content | status |
      | äöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøå | 200 |
      | äöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåäöüßéàçñøåx | 400 |
