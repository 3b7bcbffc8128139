Feature: What CloudLink syncs into Teams
  CloudLink writes its presence as an app-configured session with its app
  id as session id: Busy as Busy/InACall, Away as Away/Away; Available,
  Offline and Unknown clear the session (CL-8). Do not disturb is not
  synced (CL-7), nor is a presence set in MiCollab (CL-5). Only users whose
  CloudLink e-mail matches a user principal name are synced (CL-14).

  Background:
    Given the users alice and bob
    And alice has a desk phone on the PBX

  @CL-7 @CL-4
  Scenario: Do not disturb on the PBX is not synced
    Given alice is signed in to Teams on desktop
    When alice sets Nicht verfügbar on her desk phone
    Then alice's CloudLink presence is Nicht stören
    And Mitel One shows alice as Nicht stören
    And alice has no CloudLink session in Teams
    And alice's presence is Available

  @CL-7
  Scenario: Newer CloudLink versions sync Do not disturb as Presenting
    Given alice is signed in to Teams on desktop
    And CloudLink syncs Do Not Disturb as Presenting
    When alice sets Nicht stören in Mitel One
    Then alice's CloudLink session in Teams is DoNotDisturb/Presenting
    And alice's presence is DoNotDisturb/Presenting

  @CL-5
  Scenario: A presence set in MiCollab is not synced
    Given alice is signed in to Teams on desktop
    When alice sets Abwesend in MiCollab
    Then the PBX shows alice's user presence as Verfügbar
    And alice's CloudLink presence is Verfügbar
    And alice has no CloudLink session in Teams
    And alice's presence is Available

  @CL-5
  Scenario: A presence set in the self-service portal is synced
    When alice sets Abwesend in the self-service portal
    Then alice's CloudLink session in Teams is Away
    And alice's presence is Away

  @CL-8 @CL-6 @C-3
  Scenario: CloudLink ends a state with clearPresence, never by writing Available
    Given alice is signed in to Teams on desktop
    When alice makes a call on her desk phone
    Then alice has 2 presence sessions
    When alice hangs up her desk phone
    Then alice has no CloudLink session in Teams
    And alice has 1 presence session
    When alice signs out of Teams on desktop
    Then alice's presence is Offline

  @CL-6 @C-1 @G-CLR-1
  Scenario: CloudLink's session in Teams carries its app id
    Given CloudLink's app id is "5f0c3a1e-8d2b-4c6f-9a7e-1b2c3d4e5f60"
    When alice makes a call on her desk phone
    Then alice has 1 presence session
    And alice's presence is Busy/InACall
    When the app "5f0c3a1e-8d2b-4c6f-9a7e-1b2c3d4e5f60" clears alice's presence
    Then alice's presence is Offline

  @CL-14
  Scenario: A user whose CloudLink e-mail matches no UPN is reported, not synced
    Given alice's CloudLink e-mail is alice.smith@contoso.com
    When alice makes a call on her desk phone
    Then CloudLink reports alice as not synced because matches no user principal name
    And alice has no CloudLink session in Teams
    And alice's presence is Offline
    When alice's CloudLink e-mail is ALICE@contoso.com
    Then CloudLink syncs alice's presence
    And alice's CloudLink session in Teams is Busy/InACall

  @CL-14
  Scenario: Without an app registration in the tenant nothing is synced
    Given the tenant has no app registration for CloudLink
    When alice makes a call on her desk phone
    Then CloudLink reports alice as not synced because app registration
    And alice has no CloudLink session in Teams

  @CL-6
  Scenario: Presence sync switched off for a user
    Given alice is signed in to Teams on desktop
    And alice makes a call on her desk phone
    When presence sync is off for alice
    Then alice has no CloudLink session in Teams
    And CloudLink reports alice as not synced because presence sync is off
    And alice's presence is Available
    When presence sync is on for alice
    Then alice's presence is Busy/InACall

  @CL-6 @C-2 @G-SET-1
  Scenario: CloudLink refreshes its session before it expires
    Given it is 09:00
    And CloudLink writes its session for 10 minutes and refreshes it every 5 minutes
    When alice makes a call on her desk phone
    Then alice's CloudLink session in Teams expires at 09:10
    When it is 09:05
    Then alice's CloudLink session in Teams expires at 09:15
    When it is 11:00
    Then alice's CloudLink session in Teams is Busy/InACall
    And alice's presence is Busy/InACall

  @CL-6 @G-SET-1 @C-10
  Scenario: The session expires when CloudLink stops refreshing it
    Given it is 09:00
    And alice is signed in to Teams on desktop
    And CloudLink writes its session for 10 minutes and refreshes it every 5 minutes
    When alice makes a call on her desk phone
    And it is 09:07
    And CloudLink stops
    And it is 09:14
    Then alice's CloudLink session in Teams is Busy/InACall
    And alice's CloudLink session in Teams expires at 09:15
    And alice's presence is Busy/InACall
    When it is 09:15
    Then alice has no CloudLink session in Teams
    And alice's presence is Away
    When CloudLink starts again
    Then alice's CloudLink session in Teams is Busy/InACall
    And alice's presence is Busy/InACall

  @CL-6 @T-PROP-1
  Scenario: A colleague's web client shows the PBX call within its lag
    Given alice is signed in to Teams on desktop
    And CloudLink syncs a PBX change after 10 seconds
    When alice's desk phone goes off-hook
    Then alice's presence is Available
    And within 6 minutes bob's web client shows alice as Busy/InACall
