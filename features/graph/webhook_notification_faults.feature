@graph
Feature: Graph's notification faults reach webhooks too
  The Graph fake's webhook notifications pass the world's Graph layer as an
  in-process reader's do: one setting and one seeded draw delay, drop,
  double and reorder them on the world's clock, and state their latency
  band. A rich subscription shows which presence each one carries.

  Background:
    Given the users alice and bob
    And the Graph app "watcher" is registered with delegated permissions Presence.Read.All
    And the Graph app "watcher" acts as bob
    And a webhook listens at https://hooks.example.com/presence
    And it is 09:00
    And alice is signed in to Teams on desktop
    And the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+1 hour}",
       "includeResourceData": true, "encryptionCertificate": "{certificate}",
       "encryptionCertificateId": "presence-2026"}
      """
    And the Graph response status is 201

  @G-SUB-1
  Scenario: A notification about alice reaches the webhook 30 seconds late
    Given Graph delays notifications about alice by 30 seconds
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    And 20 seconds pass
    Then the webhook at https://hooks.example.com/presence has received 0 notifications about alice
    When 15 seconds pass
    Then the webhook at https://hooks.example.com/presence has received 1 notification about alice
    And the latest notification at https://hooks.example.com/presence decrypts to alice as Busy/InACall
    And in the latest notification at https://hooks.example.com/presence, "value[0].encryptedContent.encryptionCertificateId" is "presence-2026"

  @G-SUB-1
  Scenario: Notifications held and sent newest first leave the older one last at the webhook
    Given Graph delivers notifications about alice in reverse order
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    And 2 seconds pass
    And the app "pbx" clears alice's presence
    And 5 seconds pass
    Then the webhook at https://hooks.example.com/presence has received 0 notifications about alice
    When 1 minute passes
    Then the webhook at https://hooks.example.com/presence has received 2 notifications about alice
    And the latest notification at https://hooks.example.com/presence decrypts to alice as Busy/InACall
    And alice's presence is Available

  @G-SUB-1
  Scenario: The next notification about alice never reaches the webhook
    Given Graph drops the next notification about alice
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    And 5 seconds pass
    Then the webhook at https://hooks.example.com/presence has received 0 notifications about alice
    When the app "pbx" clears alice's presence
    And 5 seconds pass
    Then the webhook at https://hooks.example.com/presence has received 1 notification about alice
    And the latest notification at https://hooks.example.com/presence decrypts to alice as Available

  @G-SUB-1
  Scenario: Every notification about alice reaches the webhook twice
    Given Graph duplicates notifications about alice
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    And 5 seconds pass
    Then the webhook at https://hooks.example.com/presence has received 2 notifications about alice
    And the latest notification at https://hooks.example.com/presence decrypts to alice as Busy/InACall

  @G-SUB-1
  Scenario: Within the latency band a notification reaches the webhook later than its change, within a minute
    Given Graph delivers notifications within 60 seconds, 10 seconds on average
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    Then the webhook at https://hooks.example.com/presence has received 0 notifications about alice
    When 1 minute passes
    Then the webhook at https://hooks.example.com/presence has received 1 notification about alice
    And the latest notification at https://hooks.example.com/presence decrypts to alice as Busy/InACall
    When the app "pbx" clears alice's presence
    And 1 minute passes
    Then the webhook at https://hooks.example.com/presence has received 2 notifications about alice
    And the latest notification at https://hooks.example.com/presence decrypts to alice as Available
