@T-ACT-1
Feature: A working morning
  A small day for the report's own tests: a client, a meeting, a call and
  an app session, each on its own lane of the timeline.

  @T-CAL-1 @T-AGG-2
  Scenario: A meeting makes alice busy, an app session does not outrank it
    Given the users alice and bob
    And it is 09:00
    And alice is signed in to Teams on mobile
    And alice has a meeting from 10:00 to 11:00
    Then alice's presence is Available
    When the app "pbx" sets alice's presence to Available for 4 hours
    And it is 10:00
    Then alice's presence is Busy/InAMeeting
    And a federated user sees alice as Busy
    When it is 11:30
    Then alice's presence is Available

  @T-CALL-1
  Scenario: A call between two people
    Given the users alice and bob
    And alice is signed in to Teams on desktop
    And bob is signed in to Teams on mobile
    When alice and bob are in a Teams call
    Then alice's presence is Busy/InACall
    When the call ends
    Then bob's presence is Available
