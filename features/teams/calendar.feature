Feature: The Exchange calendar
  Teams reads the Exchange calendar: an appointment, also one that is not a
  Teams meeting, shows In a meeting (seeds 000, 003). Focus time shows
  Konzentration, DoNotDisturb/Focusing (seed 003; seed 002 "Fokus/Präsentieren
  → Nicht stören"); seed 000 (2020) says focus time shows "in a Meeting",
  which a setting chooses instead (T-CAL-2).

  Background:
    Given alice is signed in to Teams on mobile

  @T-CAL-1
  Scenario: An appointment is In a meeting for its duration
    Given alice has an appointment from 10:00 to 11:00
    When it is 09:59
    Then alice's presence is Available
    When it is 10:00
    Then alice's presence is Busy/InAMeeting
    And alice's presence was decided by T-AGG-2
    And a federated user sees alice as Busy
    When it is 11:00
    Then alice's presence is Available

  @T-CAL-1
  Scenario: Overlapping appointments keep the user in a meeting until the last ends
    Given alice has a meeting from 10:00 to 11:00
    And alice has a meeting from 10:30 to 12:00
    When it is 11:00
    Then alice's presence is Busy/InAMeeting
    When it is 12:00
    Then alice's presence is Available

  @T-CAL-1
  Scenario: A free slot does not change presence
    Given alice has a free slot from 10:00 to 11:00
    When it is 10:30
    Then alice's presence is Available

  @T-CAL-2
  Scenario: Focus time is Do not disturb – Focusing
    Given alice has a focus time from 13:00 to 15:00
    When it is 13:00
    Then alice's presence is DoNotDisturb/Focusing
    And alice's presence was decided by T-AGG-2
    And a federated user sees alice as DoNotDisturb
    When it is 15:00
    Then alice's presence is Available

  @T-CAL-1 @T-CALL-1 @T-PRES-1 @T-AGG-2 @T-AGG-5
  Scenario: A calendar meeting overlapping a call and presenting
    Given bob is signed in to Teams on mobile
    And alice has a meeting from 10:00 to 11:00
    When it is 09:50
    And alice and bob are in a Teams call
    Then alice's presence is Busy/InACall
    When it is 10:00
    Then alice's presence is Busy/InACall
    When alice starts presenting
    Then alice's presence is DoNotDisturb/Presenting
    When alice stops presenting
    And the call ends
    Then alice's presence is Busy/InAMeeting
    When it is 11:00
    Then alice's presence is Available

  @T-CAL-2
  Scenario: Focus time shows as Busy/InAMeeting when the setting says so, as seed 000 has it
    Given focus time shows as Busy/InAMeeting
    And alice has a focus time from 13:00 to 15:00
    When it is 13:00
    Then alice's presence is Busy/InAMeeting
    And alice's presence is Im Meeting
    And a federated user sees alice as Busy
    When it is 15:00
    Then alice's presence is Available

  @T-CAL-2
  Scenario: Switching the setting during focus time changes what it shows
    Given alice has a focus time from 13:00 to 15:00
    When it is 13:00
    Then alice's presence is Konzentration
    When focus time shows as Busy/InAMeeting
    Then alice's presence is Busy/InAMeeting
    When focus time shows as DoNotDisturb/Focusing
    Then alice's presence is DoNotDisturb/Focusing
