Feature: Calls, meetings and presenting
  Teams knows when a user is in a call (two parties: In a call; more: In a
  conference call), in a Teams meeting, or presenting (seeds 000, 002, 003).

  Background:
    Given it is 09:00
    And alice is signed in to Teams on desktop
    And bob is signed in to Teams on desktop
    And carol is signed in to Teams on mobile

  @T-CALL-1
  Scenario: A two-party call is In a call for both
    When alice and bob are in a Teams call
    Then alice's presence is Busy/InACall
    And bob's presence is Am Telefon
    And carol's presence is Available
    When the call ends
    Then alice's presence is Available

  @T-CALL-1 @T-AGG-5
  Scenario: A third party makes it a conference call, and leaving makes it a call again
    Given alice and bob are in a Teams call
    When carol joins the call
    Then alice's presence is Busy/InAConferenceCall
    And carol's presence is Busy – In a conference call
    When carol leaves the call
    Then alice's presence is Busy/InACall
    And carol's presence is Available
    When bob leaves the call
    Then alice's presence is Available
    And bob's presence is Available

  @T-CALL-1
  Scenario: A conference call started with three parties
    When alice, bob and carol are in a conference call
    Then bob's presence is Busy/InAConferenceCall

  @T-CALL-1
  Scenario: A Teams meeting is In a meeting
    When alice joins a Teams meeting
    Then alice's presence is In einer Besprechung
    When alice leaves the Teams meeting
    Then alice's presence is Available

  @T-PRES-1
  Scenario: Presenting in a meeting is Do not disturb – Presenting, also for people outside the meeting
    Given alice joins a Teams meeting
    When alice starts presenting
    Then alice's presence is DoNotDisturb/Presenting
    And bob sees alice as Präsentieren
    And a federated user sees alice as DoNotDisturb
    When alice stops presenting
    Then alice's presence is Busy/InAMeeting

  @T-PRES-1
  Scenario: Sharing the screen in a call is Presenting
    Given alice and bob are in a Teams call
    When alice starts presenting
    Then alice's presence is DoNotDisturb/Presenting
    And bob's presence is Busy/InACall

  @T-CALL-1 @T-AGG-4
  Scenario: Call activity needs a session to show
    Given dave is a federated user from fabrikam
    And the users erin
    When erin and alice are in a Teams call
    Then erin's presence is Offline
    And alice's presence is Busy/InACall
