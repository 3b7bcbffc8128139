Feature: Graph delays, loses, doubles and reorders notifications
  Graph promises notifications within about 10 seconds on average and a
  minute at most, but does not promise each arrives once and in order. The
  world's Graph layer can delay them, hold them and deliver them newest
  first, drop some or send them twice, on the world's clock, for any reader
  in process. A reader that keeps the highest sequenceNumber (C-8) still
  ends up with the true presence.

  Background:
    Given the users alice and bob
    And it is 09:00
    And alice is signed in to Teams on desktop
    And a reader app subscribes to alice's presence through Graph

  @G-SUB-1
  Scenario: Notifications about alice arrive 30 seconds late
    Given Graph delays notifications about alice by 30 seconds
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    And 20 seconds pass
    Then the reader app got 0 notifications about alice
    When 15 seconds pass
    Then the reader app got 1 notification about alice
    And the reader app got every notification about alice at least 30 seconds after its change

  @G-SUB-1 @C-8
  Scenario: Notifications delivered newest first leave the sequenceNumber to tell the true presence
    Given Graph delivers notifications about alice in reverse order
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    And 2 seconds pass
    And the app "pbx" clears alice's presence
    And 1 minute passes
    Then the reader app got the notifications about alice in the order Available, Busy/InACall
    And the reader app, keeping the newest sequenceNumber, shows alice as Available
    And alice's presence is Available

  @G-SUB-1
  Scenario: The next notification about alice is lost
    Given Graph drops the next notification about alice
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    And 5 seconds pass
    And the app "pbx" clears alice's presence
    And 5 seconds pass
    Then the reader app got the notifications about alice in the order Available
    And the reader app, keeping the newest sequenceNumber, shows alice as Available

  @G-SUB-1 @C-8
  Scenario: Every notification about alice comes twice
    Given Graph duplicates notifications about alice
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    And 5 seconds pass
    Then the reader app got the notifications about alice in the order Busy/InACall, Busy/InACall
    And the reader app, keeping the newest sequenceNumber, shows alice as Busy/InACall

  @G-SUB-1
  Scenario: Notifications about bob are not touched by alice's faults
    Given a reader app subscribes to bob's presence through Graph
    And bob is signed in to Teams on desktop
    And Graph drops the next 5 notifications about alice
    When the app "pbx" sets bob's presence to Busy/InACall for 1 hour
    And 5 seconds pass
    Then the reader app got the notifications about bob in the order Available, Busy/InACall

  @G-SUB-1
  Scenario: Notifications about alice come within Graph's stated latency band
    Given Graph delivers notifications within 60 seconds, 10 seconds on average
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    And 2 minutes pass
    And the app "pbx" clears alice's presence
    And 2 minutes pass
    And the app "pbx" sets alice's presence to DoNotDisturb/Presenting for 1 hour
    And 2 minutes pass
    And the app "pbx" clears alice's presence
    And 2 minutes pass
    And the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    And 2 minutes pass
    And the app "pbx" clears alice's presence
    And 2 minutes pass
    Then the reader app got the notifications about alice in the order Busy/InACall, Available, DoNotDisturb/Presenting, Away, Busy/InACall, Away
    And the reader app got the notifications about alice late, within 60 seconds of their change and under 10 seconds on average
