@connector-cloudlink
Feature: A CloudLink connector judged over the fakes
  The connector under test runs as its own process (or, in the built-in
  suite, the reference connector in process) and talks only HTTP: it reads
  the PBX's users and event stream and writes presence through the Graph
  fake. The built-in CloudLink model is switched off. Steps that wait for the
  connector wait in real time, bounded; the world's clock runs faster than
  real time at the run's time scale, which the connector is told. The rules
  are judged from what the fakes saw: every Graph request with its body, and
  every PBX change the connector had to react to. It authenticates as the
  identity platform documents (C-11): over HTTPS, with the token endpoint
  its authority's OpenID configuration names, one token kept until shortly
  before it expires, and a new one when Graph refuses the one it has.

  Background:
    Given the CloudLink connector under test is running
    And the idle timeout is 8 hours
    And alice is signed in to Teams on desktop
    And alice has a desk phone on the PBX

  @C-1 @CL-3 @CL-6 @CL-8 @C-11
  Scenario: A call on the desk phone reaches Teams as the connector's own session
    When alice makes a call on her desk phone
    Then within 10 seconds, the connector's session for alice is Busy/InACall
    And within 10 seconds, alice's presence is Busy/InACall
    And the connector keeps the rules C-1, C-4 and C-11

  @C-3 @CL-8 @C-11
  Scenario: The connector ends a state with clearPresence, never by writing Available
    When alice makes a call on her desk phone
    Then within 10 seconds, the connector's session for alice is Busy/InACall
    When alice hangs up her desk phone
    Then within 10 seconds, the connector has no session for alice
    And within 10 seconds, alice's presence is Available
    And the connector keeps the rules C-1, C-3 and C-11

  @C-11 @C-1
  Scenario: When Graph refuses its token, the connector gets a new one before it tries again
    When alice makes a call on her desk phone
    Then within 10 seconds, the connector's session for alice is Busy/InACall
    When Graph refuses every token the connector has got so far
    And alice hangs up her desk phone
    Then within 10 seconds, the connector has no session for alice
    And the connector keeps the rules C-1 and C-11

  @C-2 @CL-6
  Scenario: The connector refreshes its session for as long as the call lasts
    When alice makes a call on her desk phone
    Then within 10 seconds, alice's presence is Busy/InACall
    And alice's presence stays Busy/InACall while the connector runs for 6 minutes
    And the connector keeps the rules C-2

  @C-4 @CL-7 @CL-4
  Scenario: Do not disturb on the PBX is not pushed into Teams
    When alice sets Nicht verfügbar on her desk phone
    Then alice's presence stays Available while the connector runs for 1 minute
    And within 10 seconds, the connector has no session for alice
    And the connector keeps the rules C-4

  @CL-7 @CL-2
  Scenario: A call on the desk phone under Nicht verfügbar reaches Teams as Busy
    When alice sets Nicht verfügbar on her desk phone
    And alice makes a call on her desk phone
    Then within 10 seconds, the connector's session for alice is Busy/InACall
    And within 10 seconds, alice's presence is Busy/InACall
    And the connector keeps the rules C-1 and C-4

  # 120 s of virtual time is 1 s of real time at the default time scale:
  # long enough that a connector ignoring it is caught on a loaded machine.
  @C-5
  Scenario: After a 429 the connector waits for Retry-After before its next request
    Given Graph throttles the connector's next 2 requests with Retry-After 120 seconds
    When alice makes a call on her desk phone
    Then within 10 seconds, alice's presence is Busy/InACall
    And the connector keeps the rules C-5

  @C-9
  Scenario: One write per change: the connector does not echo its own writes
    When alice makes a call on her desk phone
    Then within 10 seconds, alice's presence is Busy/InACall
    When the connector keeps running for 1 minute
    Then the connector keeps the rules C-9

  @C-10 @C-5 @C-11
  Scenario: After a Graph outage the connector recovers by itself and writes the true state
    When Graph becomes unavailable to the connector
    And alice makes a call on her desk phone
    And the connector keeps running for 2 minutes
    Then alice's presence is Available
    When Graph is available to the connector again
    Then within 10 seconds, alice's presence is Busy/InACall
    And the connector keeps the rules C-1, C-5 and C-11

  @CL-4 @CL-8 @C-1 @C-3
  Scenario Outline: The PBX user presence <state> gives the connector's session <session>
    When alice sets <state> on her desk phone
    Then within 10 seconds, the connector's session for alice is <session>
    And the connector keeps the rules C-1 and C-3

    Examples:
      | state       | session       |
      | Abwesend    | Away/Away     |
      | Besetzt     | Busy/InACall  |
      | Besprechung | Busy/InACall  |

  @CL-2 @CL-10
  Scenario: Away on Mitel One outranks a call: the session stays Away
    When alice sets Abwesend in Mitel One
    And alice makes a call on her desk phone
    And the connector keeps running for 1 minute
    Then within 10 seconds, the connector's session for alice is Away/Away
    And the connector keeps the rules C-1 and C-9
