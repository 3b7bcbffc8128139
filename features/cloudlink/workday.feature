Feature: A working day with the PBX, Mitel One and Teams
  The presence others see in Teams over a day, step by step.

  Background:
    Given the users alice and bob
    And alice has a desk phone and a softphone on the PBX

  @CL-3 @CL-8 @CL-10 @CL-12 @T-CAL-1 @T-ACT-2
  Scenario: Call, meeting, away and back
    Given it is 08:00
    And alice is signed in to Teams on desktop
    And alice has a meeting from 10:00 to 11:00
    Then alice's presence is Available

    When it is 08:30
    And alice makes a call on her desk phone
    Then alice's presence is Busy/InACall
    And a federated user sees alice as Busy
    When it is 08:50
    And alice hangs up her desk phone
    Then alice's presence is Away
    When alice uses her desktop client
    Then alice's presence is Available

    When it is 10:00
    Then alice's presence is Busy/InAMeeting
    When alice takes a call on her softphone
    Then alice's presence is Busy/InACall
    When alice hangs up her softphone
    Then alice's presence is Busy/InAMeeting

    When it is 11:00
    And alice uses her desktop client
    Then alice's presence is Available
    When it is 12:00
    And alice sets Abwesend in Mitel One
    And alice locks her computer
    Then alice's presence is Away
    When alice makes a call on her desk phone
    Then Mitel One shows alice as Abwesend
    And alice's presence is Away
    When alice hangs up her desk phone
    And alice's computer goes to sleep
    And 5 minutes pass
    Then alice's presence is Away
    And alice has 1 presence session

    When it is 13:00
    And alice's computer wakes up
    And alice uses her desktop client
    And alice sets Verfügbar in Mitel One
    Then alice has no CloudLink session in Teams
    And alice's presence is Available
    When it is 17:30
    And alice signs out of Teams on desktop
    Then alice's presence is Offline
    And alice's presence was Busy/InACall at 08:30
    And alice's presence was Busy/InAMeeting at 10:30
    And alice's presence was Away at 12:30
