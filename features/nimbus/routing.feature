Feature: Routing in Luware Nimbus: selection, Active toggle, after-call work, RONA and outbound calls
  Among the eligible agents the call goes to the one idle longest (ties by
  name). An agent must be Active in the service; after a call, after-call work
  blocks the agent for a set time. An agent who declines or lets a call ring
  out is in RONA until the reset time passes, the agent resets it, or the
  agent goes Offline in Teams. An agent dialling out stays selectable until
  the call is established (Luware's public documentation, RULEBOOK §5).

  Background:
    Given it is 09:00
    And the idle timeout is 1 hour
    And alice is signed in to Teams on desktop
    And bob is signed in to Teams on desktop
    And carol is signed in to Teams on desktop
    And a Nimbus service "Support" with the agents alice, bob and carol
    And Nimbus has the presence account "nimbus-pa1"

  @NB-7 @T-CALL-1
  Scenario: The call goes to the agent idle longest; ties by name
    When a call arrives at "Support"
    Then Nimbus offers the call to alice
    When alice accepts the Nimbus call
    Then alice's presence is Busy/InACall
    When a call arrives at "Support"
    Then Nimbus offers the call to bob
    When bob accepts the Nimbus call
    And 1 minute passes
    And bob ends the Nimbus call
    And 1 minute passes
    And alice ends the Nimbus call
    And 1 minute passes
    Then alice's presence is Available
    When a call arrives at "Support"
    Then Nimbus offers the call to carol
    When carol accepts the Nimbus call
    And a call arrives at "Support"
    Then Nimbus offers the call to bob

  @NB-8
  Scenario: After-call work blocks the agent for the set time
    Given the service "Support" has an after-call work of 2 minutes
    And bob turns his Active toggle in "Support" off
    And carol turns her Active toggle in "Support" off
    When a call arrives at "Support"
    And alice accepts the Nimbus call
    And alice ends the Nimbus call
    And a call arrives at "Support"
    Then Nimbus offers the call to no agent
    And alice is not eligible for "Support" by NB-8
    When 1 minute passes
    Then Nimbus offers the call to no agent
    When 1 minute passes
    Then Nimbus offers the call to alice

  @NB-8
  Scenario: Only agents Active in the service get calls, whatever their presence
    Given alice turns her Active toggle in "Support" off
    And bob turns his Active toggle in "Support" off
    And carol turns her Active toggle in "Support" off
    When a call arrives at "Support"
    Then Nimbus offers the call to no agent
    And bob is not eligible for "Support" by NB-8
    When bob turns his Active toggle in "Support" on
    Then Nimbus offers the call to bob

  @NB-9
  Scenario: Declining puts the agent in RONA and the call goes to the next agent; the reset time ends it
    Given the service "Support" has a RONA reset time of 5 minutes
    When a call arrives at "Support"
    And alice declines the Nimbus call
    Then Nimbus offers the call to bob
    When bob accepts the Nimbus call
    Then alice is in RONA
    And alice is not eligible for "Support" by NB-9
    When 4 minutes pass
    Then alice is in RONA
    When 1 minute passes
    Then alice is out of RONA
    And alice is eligible for "Support"

  @NB-9
  Scenario: Not answering within the ring time is RONA too
    Given the service "Support" has a ring time of 20 seconds
    When a call arrives at "Support"
    And alice lets the Nimbus call ring out
    Then Nimbus offers the call to bob
    And alice is in RONA

  @NB-9
  Scenario: The agent resets RONA by hand, or by going Offline in Teams
    When a call arrives at "Support"
    And alice declines the Nimbus call
    And bob declines the Nimbus call
    Then alice is in RONA
    And bob is in RONA
    And Nimbus offers the call to carol
    When alice resets her RONA state
    Then alice is out of RONA
    When bob signs out of every Teams client
    Then bob is out of RONA
    When carol declines the Nimbus call
    Then carol is in RONA
    When carol switches to an Off Duty profile
    Then carol is out of RONA

  @NB-9
  Scenario: The RONA reset time lies between 10 seconds and 320 minutes
    Then the service "Support" refuses a RONA reset time of 5 seconds
    And the service "Support" refuses a RONA reset time of 321 minutes
    Given the service "Support" has a RONA reset time of 10 seconds
    And the service "Support" has a RONA reset time of 320 minutes

  @NB-10 @NB-4
  Scenario: An agent dialling out is still selectable until the call is established
    Given bob turns his Active toggle in "Support" off
    And carol turns her Active toggle in "Support" off
    When alice dials out from Teams
    Then alice's presence is Available
    And alice is eligible for "Support"
    When alice's outbound call is established
    Then alice's presence is Busy/InACall
    And alice is not eligible for "Support" by NB-4
    When a call arrives at "Support"
    Then Nimbus offers the call to no agent
    When the call ends
    Then Nimbus offers the call to alice

  @NB-1
  Scenario: Responsibility through skills and the duty profile
    Given a skill-based Nimbus service "Billing" requiring German and invoices
    And alice has the Nimbus skills German and invoices
    And bob has the Nimbus skill German
    Then alice is eligible for "Billing"
    And bob is not eligible for "Billing" by NB-1
    And carol is not eligible for "Billing" by NB-1
    When alice switches to an Off Duty profile
    Then alice is not eligible for "Billing" by NB-1
    When alice switches to an On Duty profile
    And a call arrives at "Billing"
    Then Nimbus offers the call to alice

  @NB-1
  Scenario: Responsibility through team membership
    Given dave is signed in to Teams on desktop
    Then dave is not eligible for "Support" by NB-1
    And alice is eligible for "Support"
