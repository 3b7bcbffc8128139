Feature: CloudLink where seed 002's statements meet
  Seed 002 ranks Do not disturb above Busy (CL-2) yet says users show
  "als Besetzt …, wenn sie auf ihren Telefonen Besetzt sind, es sei denn, sie
  haben Abwesend konfiguriert": while Do not disturb is not synced, the
  session in Teams carries CloudLink's presence without its Do-not-disturb
  sources (CL-7). The CloudLink e-mail links a PBX user to the Teams user
  whose UPN or Azure AD mail it is, and one Teams user to one PBX user only
  (CL-14). Mitel One's presence counts on every PBX (CL-15).

  Background:
    Given the users alice and bob
    And alice has a desk phone on the PBX

  @CL-7 @CL-2
  Scenario: A call on the desk phone under Nicht verfügbar shows as Busy in Teams
    Given alice is signed in to Teams on desktop
    When alice sets Nicht verfügbar on her desk phone
    And alice makes a call on her desk phone
    Then alice's CloudLink presence is Nicht stören
    And Mitel One shows alice as Nicht stören
    And alice's CloudLink session in Teams is Busy/InACall
    And alice's presence is Busy/InACall
    When alice hangs up her desk phone
    Then alice has no CloudLink session in Teams
    And alice's presence is Available

  @CL-7 @CL-10
  Scenario: Abwesend is the exception the note names: a call under Abwesend stays Away
    Given alice is signed in to Teams on desktop
    When alice sets Abwesend on her desk phone
    And alice makes a call on her desk phone
    Then alice's CloudLink session in Teams is Away
    And alice's presence is Available

  @CL-7
  Scenario: Where Do not disturb is synced, a call under Nicht verfügbar shows as Presenting
    Given alice is signed in to Teams on desktop
    And CloudLink syncs Do Not Disturb as Presenting
    When alice sets Nicht verfügbar on her desk phone
    And alice makes a call on her desk phone
    Then alice's CloudLink session in Teams is DoNotDisturb/Presenting
    And alice's presence is DoNotDisturb/Presenting

  @CL-8 @NB-4
  Scenario: Besprechung set by hand reaches Teams as a call, and Nimbus with a presence account takes it for one
    Given alice is signed in to Teams on desktop
    And a Nimbus service "Support" with the agent alice
    And the Conversations Distribution of "Support" sets "Busy *" to "Distributed to the user"
    And Nimbus has the presence account "pa1"
    When alice sets Besprechung on her desk phone
    Then alice's CloudLink session in Teams is Busy/InACall
    And alice's presence is Busy/InACall
    And Nimbus reads alice as Busy/InACall
    And alice is not eligible for "Support" by NB-4

  @CL-14
  Scenario: The CloudLink e-mail may match the Azure AD mail instead of the UPN
    Given alice's Azure AD mail is alice.smith@contoso.com
    And alice's CloudLink e-mail is Alice.Smith@contoso.com
    When alice makes a call on her desk phone
    Then CloudLink syncs alice's presence
    And alice's CloudLink session in Teams is Busy/InACall
    When alice's Azure AD mail is a.smith@contoso.com
    Then CloudLink reports alice as not synced because matches no user principal name and no mail
    And alice has no CloudLink session in Teams

  @CL-14
  Scenario: Two PBX users with the same CloudLink e-mail: the one who had it first stays linked
    Given bob has a desk phone on the PBX
    And alice is signed in to Teams on desktop
    And bob is signed in to Teams on desktop
    When bob's CloudLink e-mail is ALICE@contoso.com
    And bob makes a call on his desk phone
    Then CloudLink reports bob as not synced because alice had it first
    And CloudLink syncs alice's presence
    And alice has no CloudLink session in Teams
    And alice's presence is Available
    And bob has no CloudLink session in Teams
    And bob's presence is Available
    When alice makes a call on her desk phone
    Then alice's CloudLink session in Teams is Busy/InACall
    When alice hangs up her desk phone
    Then alice has no CloudLink session in Teams
    And alice's presence is Available
    When bob's CloudLink e-mail is bob@contoso.com
    Then CloudLink syncs bob's presence
    And bob's CloudLink session in Teams is Busy/InACall
    And alice's presence is Available

  @CL-15 @CL-1
  Scenario: Without a MiVoice Office 400, Mitel One's own state still counts
    Given alice is signed in to Teams on desktop
    And the PBX has no user presence
    When alice sets Abwesend in Mitel One
    Then alice's CloudLink presence is Abwesend
    And alice's CloudLink session in Teams is Away
    When alice makes a call on her desk phone
    Then alice's CloudLink presence is Abwesend
    When alice sets Verfügbar in Mitel One
    Then alice's CloudLink presence is Besetzt
    And alice's presence is Busy/InACall
    When alice sets Nicht stören in Mitel One
    Then alice's CloudLink presence is Nicht stören
    And alice's CloudLink session in Teams is Busy/InACall
