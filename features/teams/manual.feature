Feature: Presence set by hand
  A user can pick Available, Busy, Do not disturb, Be right back, Away or
  Appear offline; In a call, In a meeting and Presenting are the system's.
  A manual state lasts until reset or until it expires: Busy and Do not
  disturb 1 day, Appear offline indefinitely, others 7 days (T-MAN-1, T-MAN-2).

  Background:
    Given alice is signed in to Teams on mobile
    And bob is signed in to Teams on mobile

  @T-MAN-1
  Scenario Outline: The states a user can pick
    When alice sets her status to <picked>
    Then alice's presence is <shown>

    Examples:
      | picked         | shown           |
      | Available      | Available       |
      | Busy           | Busy/Busy       |
      | Do not disturb | DoNotDisturb    |
      | Be right back  | BeRightBack     |
      | Away           | Away/Away       |
      | Appear offline | Offline/OffWork |

  @T-MAN-1
  Scenario Outline: System states cannot be set by hand
    When alice tries to set her status to <state>
    Then it is refused because cannot be set by hand
    And alice's presence is Available

    Examples:
      | state                   |
      | Busy/InACall            |
      | Busy/InAConferenceCall  |
      | Busy/InAMeeting         |
      | DoNotDisturb/Presenting |
      | DoNotDisturb/Focusing   |

  @T-MAN-2
  Scenario Outline: A manual state expires after its default duration
    When alice sets her status to <picked>
    And <before> pass
    Then alice's presence is <shown>
    When <rest> passes
    Then alice's presence is Available
    And alice's presence was decided by T-ACT-1

    Examples:
      | picked         | shown        | before   | rest     |
      | Busy           | Busy         | 23 hours | 1 hour   |
      | Do not disturb | DoNotDisturb | 23 hours | 1 hour   |
      | Be right back  | BeRightBack  | 6 days   | 1 day    |
      | Away           | Away         | 6 days   | 1 day    |
      | Available      | Available    | 6 days   | 1 day    |

  @T-MAN-2
  Scenario: Appear offline set in the client lasts until reset
    When alice sets her status to Appear offline
    And 30 days pass
    Then alice's presence is Offline/OffWork
    When alice resets her status
    Then alice's presence is Available

  @T-MAN-2 @G-PREF-1
  Scenario: Appear offline set through Graph expires after 7 days
    When alice's preferred presence is set to Offline/OffWork through Graph
    And 6 days pass
    Then alice's presence is Offline/OffWork
    When 1 day passes
    Then alice's presence is Available

  @T-MAN-2
  Scenario: The user may give a duration
    When alice sets her status to Busy for 2 hours
    And 119 minutes pass
    Then alice's presence is Busy
    When 1 minute passes
    Then alice's presence is Available

  @T-MAN-3 @T-AGG-1
  Scenario: Do not disturb set by hand stays through calls and meetings
    Given alice sets her status to Do not disturb
    When alice and bob are in a Teams call
    Then alice's presence is DoNotDisturb
    And bob's presence is Busy/InACall
    When the call ends
    And alice joins a Teams meeting
    Then alice's presence is DoNotDisturb
    When alice leaves the Teams meeting
    Then alice's presence is DoNotDisturb
