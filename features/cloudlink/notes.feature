Feature: CloudLink and Teams precedence: the notes of seed 002
  CloudLink orders its sources Abwesend > Bitte nicht stören > Besetzt >
  Verfügbar > Offline > Unbekannt (CL-2); Teams orders app sessions Do not
  disturb > Busy > Available > Away (T-AGG-2). The notes of seed 002 follow
  from the two orders.

  Background:
    Given the users alice and bob
    And alice has a desk phone on the PBX

  @CL-10 @CL-2 @CL-3
  Scenario: A call started while Away in Mitel One stays Away
    Given alice is signed in to Teams on desktop
    And alice sets Abwesend in Mitel One
    When alice makes a call on her desk phone
    Then alice's desk phone line is connected (call made)
    And Mitel One shows alice as Abwesend
    And alice's CloudLink session in Teams is Away
    And alice's presence is Available

  @CL-10 @CL-3
  Scenario: Busy on the phone unless Away is configured
    Given alice is signed in to Teams on desktop
    When alice makes a call on her desk phone
    Then alice's CloudLink presence is Besetzt
    And alice's presence is Busy/InACall
    When alice hangs up her desk phone
    Then alice's CloudLink presence is Verfügbar
    And alice has no CloudLink session in Teams
    And alice's presence is Available

  @CL-11 @T-AGG-2
  Scenario: Teams Available outranks Mitel One Away
    Given alice is signed in to Teams on desktop
    When alice sets Abwesend in Mitel One
    Then alice's CloudLink session in Teams is Away
    And others in Teams see alice as Verfügbar
    And alice's presence was decided by T-AGG-2

  @CL-12 @CL-6 @T-AGG-4
  Scenario: Signed out of every Teams client, Mitel One Away shows as Away
    Given alice is signed in to Teams on desktop and mobile
    And alice sets Abwesend in Mitel One
    When alice signs out of every Teams client
    Then others in Teams see alice as Abwesend
    And bob sees alice as Away
    And alice has 1 presence session

  @CL-13 @T-AGG-1
  Scenario: A presence set explicitly in Teams always wins
    Given alice is signed in to Teams on desktop
    When alice makes a call on her desk phone
    Then alice's presence is Busy/InACall
    When alice sets her status to Be right back
    Then alice's presence is BeRightBack
    And alice's CloudLink session in Teams is Busy/InACall
    When alice resets her status
    Then alice's presence is Busy/InACall

  @CL-2 @CL-3
  Scenario: A call on any line makes CloudLink Busy, a ringing line does not
    Given alice has a desk phone and a softphone on the PBX
    And alice is signed in to Teams on desktop
    When alice's softphone rings
    Then alice's softphone line is ringing (call received)
    And alice's CloudLink presence is Verfügbar
    When alice answers her softphone
    Then alice's CloudLink presence is Besetzt
    And alice's presence is Busy/InACall
    When alice puts the call on her softphone on hold
    Then alice's CloudLink presence is Besetzt
    When alice retrieves the call on her softphone
    And alice hangs up her softphone
    Then alice's CloudLink presence is Verfügbar
    And alice's presence is Available

  @CL-2 @CL-15
  Scenario: An unplugged desk phone is Offline, outranked by Mitel One where the PBX has no user presence
    Given the PBX has no user presence
    When alice unplugs her desk phone
    Then alice's CloudLink presence is Verfügbar
    And alice has no CloudLink session in Teams
    When alice sets Abwesend in Mitel One
    Then alice's CloudLink presence is Abwesend
    When alice plugs her desk phone back in
    And alice sets Verfügbar in Mitel One
    Then alice's CloudLink presence is Verfügbar
