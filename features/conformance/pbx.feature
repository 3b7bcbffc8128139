@connector-pbx
Feature: A PBX connector judged over the fakes
  Any connector that reads line state from the PBX and writes Teams
  presence: over SIP (it registers as PRESENCESIM_SIP_USER and subscribes
  to the dialog state of each extension at PRESENCESIM_SIP_ADDR) or over
  the PBX's JSON API. The profile asks what every such connector does,
  whatever its PBX: a call on the desk phone becomes the connector's own
  Busy/InACall session in Teams within a bound, refreshed for as long as
  the call lasts and cleared when it ends (C-1, C-2, C-3); no preferred
  presence (C-4); waits for Retry-After (C-5); recovery by itself after an
  outage (C-10). It does not bind the connector to CloudLink's precedence
  rules: those are the CloudLink profile's. The built-in CloudLink model is
  switched off; steps that wait for the connector wait in real time,
  bounded, while the world's clock runs at the run's time scale.

  Background:
    Given the idle timeout is 8 hours
    And alice is signed in to Teams on desktop
    And alice's desk phone is extension 201 with the SIP password "alice-201"
    And the PBX connector under test is running

  @C-1 @C-4
  Scenario: A call on the desk phone becomes the connector's Busy/InACall session
    When alice makes a call on her desk phone
    Then within 10 seconds, the connector's session for alice is Busy/InACall
    And within 10 seconds, alice's presence is Busy/InACall
    And the connector keeps the rules C-1, C-4 and C-11

  @C-3 @C-1
  Scenario: When the call ends the connector clears its session
    When alice takes a call on her desk phone
    Then within 10 seconds, the connector's session for alice is Busy/InACall
    When alice hangs up her desk phone
    Then within 10 seconds, the connector has no session for alice
    And within 10 seconds, alice's presence is Available
    And the connector keeps the rules C-1 and C-3

  @C-2
  Scenario: The connector refreshes its session for as long as the call lasts
    When alice makes a call on her desk phone
    Then within 10 seconds, alice's presence is Busy/InACall
    And alice's presence stays Busy/InACall while the connector runs for 6 minutes
    And the connector keeps the rules C-1 and C-2

  @C-4
  Scenario: Do not disturb on the PBX is not pushed into Teams as preferred presence
    When alice sets Nicht verfügbar on her desk phone
    Then alice's presence stays Available while the connector runs for 1 minute
    And the connector keeps the rules C-4

  # 120 s of virtual time is 1 s of real time at the default time scale:
  # long enough that a connector ignoring it is caught on a loaded machine.
  @C-5
  Scenario: After a 429 the connector waits for Retry-After before its next request
    Given Graph throttles the connector's next 2 requests with Retry-After 120 seconds
    When alice makes a call on her desk phone
    Then within 10 seconds, alice's presence is Busy/InACall
    And the connector keeps the rules C-5

  @C-10 @C-5
  Scenario: After a Graph outage the connector recovers by itself and writes the true state
    When Graph becomes unavailable to the connector
    And alice makes a call on her desk phone
    And the connector keeps running for 2 minutes
    Then alice's presence is Available
    When Graph is available to the connector again
    Then within 10 seconds, alice's presence is Busy/InACall
    And the connector keeps the rules C-1 and C-5
