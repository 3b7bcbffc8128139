Feature: Where presence comes from
  Teams derives presence from sign-in, activity, the calendar and settings
  made by hand (seed 000 "Statusupdate"); every client and every app has its
  own session (seed 002).

  Background:
    Given the users alice and bob

  @T-SRC-1 @T-ACT-1 @T-ACT-2 @T-CAL-1 @T-AGG-1
  Scenario: Sign-in, activity, calendar and a manual setting each move the presence
    Given it is 08:00
    Then alice's presence is Offline
    When alice signs in to Teams on desktop
    Then alice's presence is Available
    When 5 minutes pass
    Then alice's presence is Away
    When alice uses her desktop client
    And alice has an appointment from 09:00 to 09:30
    And it is 09:00
    Then alice's presence is Busy/InAMeeting
    When alice sets her status to Do not disturb
    Then alice's presence is DoNotDisturb

  @T-SRC-2 @T-ACT-1
  Scenario: Desktop, web and mobile each hold a session
    Given alice is signed in to Teams on desktop, web and mobile
    Then alice has 3 presence sessions
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    Then alice has 4 presence sessions
    When alice signs out of Teams on web
    Then alice has 3 presence sessions

  @T-ACT-3 @T-AGG-4
  Scenario: Not signed in on any device is Offline
    Then alice's presence is Offline
    When alice signs in to Teams on desktop
    And alice signs in to Teams on mobile
    And alice signs out of Teams on desktop
    Then alice's presence is Available
    When alice signs out of Teams on mobile
    Then alice's presence is Offline
    And a federated user sees alice as Offline
