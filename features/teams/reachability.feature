@T-REACH-1
Feature: Whether calls and chats reach the user
  Calls ring in every state except Do not disturb and Offline, where they go
  to voicemail; people on the priority-access list break through. Chats are
  always delivered: without a banner in Do not disturb, held while Offline.

  Background:
    Given it is 09:00
    And alice is signed in to Teams on mobile
    And bob is signed in to Teams on mobile

  Scenario Outline: Calls and chats per state set by hand
    Given alice sets her status to <status>
    When bob calls alice
    Then the call <call>
    When bob sends alice a chat message
    Then the message <chat>

    Examples:
      | status         | call              | chat                           |
      | Available      | rings             | is delivered with a banner     |
      | Busy           | rings             | is delivered with a banner     |
      | Be right back  | rings             | is delivered with a banner     |
      | Away           | rings             | is delivered with a banner     |
      | Do not disturb | goes to voicemail | is delivered without a banner  |

  Scenario: A call rings and then both are In a call
    When bob calls alice
    Then the call rings
    And alice's presence is Busy/InACall

  Scenario: Offline: calls go to voicemail, chats wait until the user is online
    Given alice signs out of every Teams client
    When bob calls alice
    Then the call goes to voicemail
    When bob sends alice a chat message
    Then the message is held until the user is online

  Scenario: People on the priority-access list break through Do not disturb
    Given carol is signed in to Teams on mobile
    And bob is on alice's priority-access list
    And alice sets her status to Do not disturb
    When bob calls alice
    Then the call rings
    When carol calls alice
    Then the call goes to voicemail
    When bob sends alice a chat message
    Then the message is delivered with a banner

  @T-FED-3
  Scenario: A blocked caller's call is not delivered
    Given alice blocks bob
    When bob calls alice
    Then the call is not delivered
