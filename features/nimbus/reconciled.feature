Feature: Nimbus: a changed distribution setting, several calls, conditional access
  A change of a service's Conversations Distribution takes effect at once:
  calls already waiting are offered to the agents it made eligible (NB-2).
  Where several calls arrive, a step names the call it means: the first,
  the second, the last. Presence accounts need MFA disabled; a tenant that
  requires MFA except from trusted locations lets them sign in from the
  Microsoft Azure data-centre addresses Nimbus signs in from, and refuses
  them with AADSTS50076 from anywhere else (seed 003, NB-5).

  Background:
    Given it is 09:00
    And the idle timeout is 1 hour
    And bob is signed in to Teams on desktop
    And carol is signed in to Teams on desktop
    And dave is signed in to Teams on desktop

  @NB-2
  Scenario: A call waiting while "Busy *" is not distributed is offered when the administrator distributes it
    Given a Nimbus service "Support" with the agent bob
    And bob is "Busy *" in Teams
    When a call arrives at "Support"
    Then Nimbus offers the call to no agent
    When the Conversations Distribution of "Support" sets "Busy *" to "Distributed to the user"
    Then Nimbus offers the call to bob
    And Nimbus has offered 1 call

  @NB-2
  Scenario: A whole new distribution table takes effect at once as well
    Given a Nimbus service "Support" with the agent bob
    And bob is "Do not Disturb" in Teams
    When a call arrives at "Support"
    Then Nimbus offers the call to no agent
    When the Conversations Distribution of "Support" is:
      | Available      | Distributed to the user     |
      | Busy *         | Distributed to the user     |
      | Do not Disturb | Distributed to the user     |
      | Away *         | NOT distributed to the user |
      | Offline        | NOT distributed to the user |
    Then Nimbus offers the call to bob

  @NB-7 @NB-2
  Scenario: Three calls for two agents: each call named by its place
    Given a Nimbus service "Support" with the agents bob and carol
    And the service "Support" has a ring time of 5 minutes
    When 3 calls arrive at "Support"
    Then Nimbus offers the first call to bob
    And Nimbus offers the second call to carol
    And Nimbus offers the last call to no agent
    And Nimbus has offered 2 calls
    When bob accepts the Nimbus call
    And bob ends the Nimbus call
    And 1 minute passes
    Then Nimbus offers the third call to bob
    And Nimbus has offered 3 calls

  @NB-5 @NB-6 @NB-4
  Scenario: Conditional access instead of MFA: the presence account signs in from a Microsoft Azure data centre only
    Given a Nimbus service "Support" with the agent bob
    And the Conversations Distribution of "Support" sets "Busy *" to "Distributed to the user"
    And Nimbus has the presence account "pa1"
    And the tenant requires MFA except from trusted locations
    When the presence account "pa1" signs in from an address outside the trusted locations
    Then Nimbus falls back to federation because sign-in → 400 invalid_grant: AADSTS50076
    When the presence account "pa1" signs in from a Microsoft Azure data centre
    Then Nimbus reads presence through the presence account "pa1"
    When bob and dave are in a Teams call
    Then Nimbus reads bob as Busy/InACall
    And bob is not eligible for "Support" by NB-4

  @NB-5
  Scenario: Conditional access does not lift MFA enabled on the account itself
    Given Nimbus has the presence account "pa1"
    And the tenant requires MFA except from trusted locations
    And the presence account "pa1" signs in from a Microsoft Azure data centre
    When the presence account "pa1" has MFA enabled
    Then Nimbus falls back to federation because AADSTS50076: you must use multi-factor authentication
