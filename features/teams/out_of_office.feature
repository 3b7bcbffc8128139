@T-OOF-1
Feature: Out of office
  Automatic replies, or a calendar event shown as out of office, set
  isOutOfOffice and show beside the presence: "Available, out of office",
  "In a call, out of office"; with no session the user is Offline/OutOfOffice.

  Background:
    Given it is 09:00
    And alice is signed in to Teams on mobile
    And bob is signed in to Teams on mobile
    And alice turns automatic replies on

  Scenario Outline: Out of office beside each availability
    When <action>
    Then alice's presence is <shown>
    And alice is shown as out of office

    Examples:
      | action                                     | shown                                |
      | alice uses her mobile client               | Available, out of office             |
      | alice and bob are in a Teams call          | Busy/InACall +OOF                    |
      | alice joins a Teams meeting                | Busy/InAMeeting +OOF                 |
      | alice starts presenting                    | DoNotDisturb/Presenting +OOF         |
      | alice sets her status to Busy              | Busy/Busy +OOF                       |
      | alice sets her status to Do not disturb    | DoNotDisturb/DoNotDisturb +OOF       |
      | alice sets her status to Away              | Away/OutOfOffice +OOF                |
      | alice sets her status to Be right back     | BeRightBack/OutOfOffice +OOF         |
      | alice sends the mobile app to the background | Away, out of office                |
      | alice signs out of every Teams client      | Offline/OutOfOffice +OOF             |

  Scenario: The labels read as Teams shows them
    Then alice's presence is Available/OutOfOffice +OOF
    When alice and bob are in a Teams call
    Then alice's presence is In a call, out of office

  Scenario: Turning automatic replies off removes the indicator
    When alice turns automatic replies off
    Then alice's presence is Available
    And alice is not shown as out of office

  Scenario: A calendar event shown as out of office
    Given bob has an out-of-office event from 12:00 to 17:00
    When it is 11:00
    Then bob is not shown as out of office
    When it is 12:00
    Then bob's presence is Available, out of office
    When it is 17:00
    Then bob's presence is Available
