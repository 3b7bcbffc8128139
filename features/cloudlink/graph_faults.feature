Feature: CloudLink under a failing and a throttling Graph
  The built-in CloudLink reaches Teams only through its Graph seam, which
  carries Graph's limits and faults on the world's clock: the same setting
  and the same seeded draw the Graph fake uses over HTTP. Like a compliant
  connector it waits at least the Retry-After Graph asks for, backs off
  exponentially (2 s, doubling, at most 30 s) while Graph keeps failing, and
  writes the true state by itself once Graph answers again.

  Background:
    Given the users alice
    And it is 09:00
    And the idle timeout is 8 hours
    And alice is signed in to Teams on desktop
    And alice has a desk phone on the PBX

  @C-5 @C-10 @CL-8
  Scenario: A ten-minute outage: no session meanwhile, the true one within a minute after, with a growing back-off
    When the Graph fake answers 100% of requests with 503
    And alice makes a call on her desk phone
    Then alice's presence stays Available until 09:10
    And alice has no CloudLink session in Teams
    When the Graph fake stops injecting faults
    Then within 1 minute of virtual time, alice's presence is Busy/InACall
    And alice's CloudLink session in Teams is Busy/InACall
    And CloudLink backs off exponentially while Graph fails
    And no request of CloudLink comes sooner than the Retry-After

  @C-5 @C-10 @CL-8
  Scenario: A hang-up during the outage is cleared once Graph answers again
    When alice makes a call on her desk phone
    Then alice's CloudLink session in Teams is Busy/InACall
    When the Graph fake answers 100% of requests with 500 or 504
    And alice hangs up her desk phone
    And 10 minutes pass
    Then alice's CloudLink session in Teams is Busy/InACall
    When the Graph fake stops injecting faults
    Then within 1 minute of virtual time, alice's presence is Available
    And alice has no CloudLink session in Teams
    And CloudLink backs off exponentially while Graph fails

  @C-5
  Scenario: Under a Retry-After of 30 seconds no request comes sooner
    When the Graph fake answers 100% of requests with 503 and a Retry-After of 30 seconds
    And alice makes a call on her desk phone
    And 5 minutes pass
    Then alice has no CloudLink session in Teams
    And no request of CloudLink comes sooner than the Retry-After
    When the Graph fake stops injecting faults
    Then within 1 minute of virtual time, alice's presence is Busy/InACall

  @G-THR-1 @C-5 @CL-8
  Scenario: At a limit of 1 request per 30 seconds CloudLink waits out the 429 and ends up true
    Given the Graph limit is 1 request per 30 seconds
    When alice makes a call on her desk phone
    Then alice's CloudLink session in Teams is Busy/InACall
    When alice hangs up her desk phone
    Then alice's CloudLink session in Teams is Busy/InACall
    And within 1 minute of virtual time, alice's presence is Available
    And alice has no CloudLink session in Teams
    And no request of CloudLink comes sooner than the Retry-After
