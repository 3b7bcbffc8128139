Feature: What other people see
  Inside the organisation people see availability and activity; federated
  users and external apps see only the user-configured level, in green,
  yellow, red or grey. Privacy mode hides presence from outside; a blocked
  person sees Offline (T-FED-1, T-FED-2, T-FED-3, T-UNK-1).

  Background:
    Given it is 09:00
    And alice is signed in to Teams on mobile
    And bob is signed in to Teams on mobile
    And dave is a federated user from fabrikam

  @T-FED-1
  Scenario Outline: Federated viewers see the user-configured level
    When <action>
    Then alice's presence is <internal>
    And dave sees alice as <federated>
    And bob sees alice as <internal>

    Examples:
      | action                                   | internal                | federated    |
      | alice uses her mobile client             | Available               | Available    |
      | alice and bob are in a Teams call        | Busy/InACall            | Busy         |
      | alice joins a Teams meeting              | Busy/InAMeeting         | Busy         |
      | alice starts presenting                  | DoNotDisturb/Presenting | DoNotDisturb |
      | alice has a focus time from 09:00 to 10:00 | DoNotDisturb/Focusing | DoNotDisturb |
      | alice sets her status to Be right back   | BeRightBack             | BeRightBack  |
      | alice sends the mobile app to the background | Away                | Away         |
      | alice signs out of every Teams client    | Offline                 | Offline      |

  @T-FED-2
  Scenario Outline: External viewers see a colour
    When alice sets her status to <status>
    Then external viewers see alice in <colour>

    Examples:
      | status         | colour |
      | Available      | green  |
      | Busy           | red    |
      | Do not disturb | red    |
      | Be right back  | yellow |
      | Away           | yellow |
      | Appear offline | grey   |

  @T-FED-2 @T-CALL-1
  Scenario: A call is red for external viewers, with no detail
    When alice and bob are in a Teams call
    Then external viewers see alice in red
    And a federated user sees alice as Busy

  @T-FED-3
  Scenario: Privacy mode hides presence from outside the organisation only
    When alice turns privacy mode on
    Then dave sees alice as PresenceUnknown
    And bob sees alice as Available

  @T-FED-3 @T-FED-1
  Scenario: A federated viewer and a blocked viewer of the same user
    Given erin is a federated user from fabrikam
    And alice blocks erin
    When alice and bob are in a Teams call
    Then dave sees alice as Busy
    And erin sees alice as Offline
    And bob sees alice as Busy/InACall

  @T-FED-3
  Scenario: A blocked colleague sees Offline
    When alice blocks bob
    Then bob sees alice as Offline
    And alice's presence is Available

  @T-UNK-1
  Scenario: A failed federated lookup is Status unknown
    When federated lookups of alice fail
    Then dave sees alice as Status unbekannt
    And external viewers see alice in grey
    And bob sees alice as Available
