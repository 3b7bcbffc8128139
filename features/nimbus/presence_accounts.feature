Feature: Presence accounts, their permissions and MFA, and the fallback to federation
  Nimbus holds up to two presence accounts, guest users invited to the
  tenant. Each needs the delegated permissions Presence.Read.All, User.Read
  and User.ReadBasic.All, and MFA disabled. When presence tracking fails (a
  change in the tenant, a broken account), Nimbus falls back to federation:
  presence tracking cannot replace it (seed 003, "Gast-Benutzer" and
  "Fragen und Antworten").

  Background:
    Given it is 09:00
    And bob is signed in to Teams on desktop
    And dave is signed in to Teams on desktop
    And a Nimbus service "Support" with the agent bob
    And the Conversations Distribution of "Support" sets "Busy *" to "Distributed to the user"

  @NB-5
  Scenario: Two presence accounts, the first one broken: Nimbus reads through the second
    Given Nimbus has the presence accounts "nimbus-pa1" and "nimbus-pa2"
    When the presence account "nimbus-pa1" has MFA enabled
    Then Nimbus reads presence through the presence account "nimbus-pa2"
    When bob and dave are in a Teams call
    Then Nimbus reads bob as Busy/InACall
    And bob is not eligible for "Support" by NB-4

  @NB-5 @NB-6
  Scenario: MFA enabled on the only presence account: the sign-in fails and Nimbus falls back to federation
    Given Nimbus has the presence account "nimbus-pa1"
    And bob and dave are in a Teams call
    When the presence account "nimbus-pa1" has MFA enabled
    Then Nimbus falls back to federation because sign-in → 400 invalid_grant: AADSTS50076
    And Nimbus reads bob as Busy
    When a call arrives at "Support"
    Then Nimbus offers the call to bob
    And bob is already in a Teams call

  @NB-5 @NB-6
  Scenario: With MFA disabled again, presence tracking works again
    Given Nimbus has the presence account "nimbus-pa1"
    And the presence account "nimbus-pa1" has MFA enabled
    When the presence account "nimbus-pa1" has MFA disabled
    Then Nimbus reads presence through the presence account "nimbus-pa1"

  @NB-5 @NB-6
  Scenario Outline: Without the delegated permission <Berechtigung> Graph answers 403 and Nimbus falls back
    Given Nimbus has the presence account "nimbus-pa1"
    When the presence account "nimbus-pa1" lacks the delegated permission <Berechtigung>
    Then Nimbus falls back to federation because <request> → 403 Forbidden
    When the presence account "nimbus-pa1" is granted the delegated permission <Berechtigung>
    Then Nimbus reads presence through the presence account "nimbus-pa1"

    Examples: Was für Berechtigungen benötigen die Gast-Benutzer?
      | Berechtigung       | Berechtigungs Typ | request                  |
      | Presence.Read.All  | Delegated         | GET /users/{id}/presence |
      | User.Read          | Delegated         | GET /me                  |
      | User.ReadBasic.All | Delegated         | GET /users/{id}          |

  @NB-5 @NB-6
  Scenario: An application permission does not stand in for the delegated one
    Given Nimbus has the presence account "nimbus-pa1"
    When the presence account "nimbus-pa1" holds Presence.Read.All only as an application permission
    Then Nimbus falls back to federation because missing scope Presence.Read.All (Delegated)

  @NB-6
  Scenario: A change in the tenant drops both guests: Nimbus falls back to federation and keeps distributing
    Given Nimbus has the presence accounts "nimbus-pa1" and "nimbus-pa2"
    And bob and dave are in a Teams call
    And bob is not eligible for "Support" by NB-4
    When the tenant changes and no longer has the Nimbus guests
    Then Nimbus falls back to federation because AADSTS50020
    And Nimbus reads bob as Busy
    And bob is eligible for "Support" by NB-3
    When the presence account "nimbus-pa2" is invited to the tenant again
    Then Nimbus reads presence through the presence account "nimbus-pa2"
    And bob is not eligible for "Support" by NB-4

  @NB-5
  Scenario: Nimbus holds at most two presence accounts
    Given Nimbus has the presence accounts "nimbus-pa1" and "nimbus-pa2"
    Then Nimbus refuses a third presence account "nimbus-pa3"
