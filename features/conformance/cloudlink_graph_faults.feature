@connector-cloudlink
Feature: A CloudLink connector under a failing and a throttling Graph
  The same outage and limits the built-in CloudLink meets in
  features/cloudlink/graph_faults.feature, met by the connector under test
  over HTTP: the faults are the world's Graph layer, which the Graph fake
  draws from for every request. The world's clock runs at the run's time
  scale, so ten minutes of outage take seconds of real time; waits are
  judged in virtual time.

  Background:
    Given the CloudLink connector under test is running
    And the idle timeout is 8 hours
    And alice is signed in to Teams on desktop
    And alice has a desk phone on the PBX

  @C-5 @C-10 @C-11
  Scenario: A ten-minute outage: no session meanwhile, the true one within a minute after, with a growing back-off
    When the Graph fake answers 100% of requests with 503
    And alice makes a call on her desk phone
    Then alice's presence stays Available while the connector runs for 10 minutes
    And within 1 second, the connector has no session for alice
    When the Graph fake stops injecting faults
    Then within 1 minute of virtual time, alice's presence is Busy/InACall
    And within 10 seconds, the connector's session for alice is Busy/InACall
    And the connector backs off exponentially while Graph fails
    And no request of the connector comes sooner than the Retry-After
    And the connector keeps the rules C-1, C-5 and C-11

  @C-5
  Scenario: Under a Retry-After of 30 seconds no request comes sooner
    When the Graph fake answers 100% of requests with 503 and a Retry-After of 30 seconds
    And alice makes a call on her desk phone
    And the connector keeps running for 5 minutes
    Then within 1 second, the connector has no session for alice
    And no request of the connector comes sooner than the Retry-After
    When the Graph fake stops injecting faults
    Then within 1 minute of virtual time, alice's presence is Busy/InACall
    And the connector keeps the rules C-5

  @G-THR-1 @C-5
  Scenario: At a limit of 1 request per 30 seconds the connector waits out the 429 and ends up true
    Given the Graph limit is 1 request per 30 seconds
    When alice makes a call on her desk phone
    Then within 10 seconds, the connector's session for alice is Busy/InACall
    When alice hangs up her desk phone
    Then within 1 minute of virtual time, alice's presence is Available
    And within 10 seconds, the connector has no session for alice
    And no request of the connector comes sooner than the Retry-After
    And the connector keeps the rules C-1, C-3 and C-5
