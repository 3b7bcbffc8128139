@T-SRC-2
Feature: Aggregation of presence sessions
  Teams keeps one presence session per client and per application and shows
  the combination (seed 002, Graph setPresence). User-configured presence
  overrides every session; among sessions DoNotDisturb > Busy > Available > Away.

  Background:
    Given the users alice and bob

  @T-AGG-2
  Scenario Outline: Among app-configured sessions the higher-ranked availability wins
    Given the app "first" sets alice's presence to <first> for 1 hour
    And the app "second" sets alice's presence to <second> for 1 hour
    Then alice's presence is <shown>
    And alice's presence was decided by T-AGG-2

    Examples:
      | first                   | second                  | shown                   |
      | DoNotDisturb/Presenting | Busy/InACall            | DoNotDisturb/Presenting |
      | Busy/InACall            | DoNotDisturb/Presenting | DoNotDisturb/Presenting |
      | Busy/InACall            | Available               | Busy/InACall            |
      | Available               | Busy/InAConferenceCall  | Busy/InAConferenceCall  |
      | Available               | Away                    | Available               |
      | Away                    | Available               | Available               |
      | Away                    | Busy/InACall            | Busy/InACall            |
      | DoNotDisturb/Presenting | Away                    | DoNotDisturb/Presenting |

  @T-AGG-2 @T-ACT-1 @T-ACT-2
  Scenario: A client session and an app session combine by rank
    Given it is 09:00
    And alice is signed in to Teams on desktop
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    Then alice's presence is Busy/InACall
    When alice locks her computer
    Then alice's presence is Busy/InACall
    When the app "pbx" clears alice's presence
    Then alice's presence is Away
    And alice's presence was decided by T-ACT-2

  @T-AGG-1
  Scenario: Presence set by hand overrides every session
    Given alice is signed in to Teams on mobile
    And the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    When alice sets her status to Be right back
    Then alice's presence is BeRightBack
    And alice's presence was decided by T-AGG-1
    When alice resets her status
    Then alice's presence is Busy/InACall

  @T-AGG-1 @T-CALL-1
  Scenario: Busy set by hand is shown as Busy, not In a call, while a call runs
    Given alice is signed in to Teams on desktop
    And bob is signed in to Teams on desktop
    And alice sets her status to Busy
    When alice and bob are in a Teams call
    Then alice's presence is Busy
    And bob's presence is Busy/InACall
    When the call ends
    Then alice's presence is Busy

  @T-AGG-3
  Scenario: A preferred presence with no session left shows Offline, and returns with a session
    Given alice is signed in to Teams on mobile
    And alice sets her status to Do not disturb
    When alice signs out of every Teams client
    Then alice's presence is Offline
    And alice's presence was decided by T-AGG-3
    When alice signs in to Teams on web
    Then alice's presence is DoNotDisturb

  @T-AGG-3 @G-PREF-1
  Scenario: A preferred presence set through Graph for a user with no session has no effect
    When alice's preferred presence is set to Busy/Busy through Graph
    Then alice's presence is Offline
    When the app "pbx" sets alice's presence to Available for 1 hour
    Then alice's presence is Busy

  @T-AGG-4 @G-CLR-1
  Scenario: Clearing the only session leaves the user Offline
    Given the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    And alice's presence is Busy/InACall
    When the app "pbx" clears alice's presence
    Then alice's presence is Offline/Offline
    And alice's presence was decided by T-AGG-4
    And alice has 0 presence sessions

  @T-AGG-5 @T-CAL-1 @T-CALL-1
  Scenario: A call outranks a calendar meeting that overlaps it
    Given alice is signed in to Teams on mobile
    And bob is signed in to Teams on mobile
    And alice has a meeting from 10:00 to 11:00
    When it is 10:00
    Then alice's presence is Busy/InAMeeting
    When alice and bob are in a Teams call
    Then alice's presence is Busy/InACall
    And alice's presence was decided by T-AGG-5
    When the call ends
    Then alice's presence is Busy/InAMeeting
    When it is 11:00
    Then alice's presence is Available

  @T-AGG-5 @T-PRES-1 @T-CAL-2
  Scenario: Presenting outranks focus time inside DoNotDisturb
    Given alice is signed in to Teams on mobile
    And alice has a focus time from 09:00 to 12:00
    When it is 09:00
    Then alice's presence is DoNotDisturb/Focusing
    When alice starts presenting
    Then alice's presence is DoNotDisturb/Presenting
    And alice's presence was decided by T-AGG-5
    When alice stops presenting
    Then alice's presence is Konzentration

  @T-AGG-5 @G-SET-2
  Scenario: An active client outranks a faded app session inside Available
    Given the idle timeout is 30 minutes
    And alice is signed in to Teams on desktop
    And the app "crm" sets alice's presence to Available for 1 hour
    When 5 minutes pass
    Then alice's presence is Available/Available
    And alice's presence was decided by T-AGG-5
    When alice signs out of Teams on desktop
    Then alice's presence is Available/AvailableInactive
