@connector-nimbus
Feature: A presence reader judged over the fakes
  A router like Luware Nimbus reads its agents' presence through a presence
  account (delegated Presence.Read.All): it subscribes to change
  notifications, reads the presence that changed, and falls back to polling
  when notifications stop. The reader reports each presence it comes to
  believe to the harness, which compares it with the true presence in Teams
  and judges the subscription from what the Graph fake delivered.

  Background:
    Given the users alice and bob
    And the idle timeout is 8 hours
    And alice is signed in to Teams on desktop
    And the Nimbus connector under test is running

  @C-6 @C-8 @C-11
  Scenario: The reader subscribes and follows a change through notifications
    Then within 10 seconds, the connector sees alice as Available
    When alice sets her status to Busy
    Then within 10 seconds, the connector sees alice as Busy
    And the connector keeps the rules C-6, C-8 and C-11

  @C-11 @C-6
  Scenario: When Graph refuses its token, the reader signs in again and keeps following
    Then within 10 seconds, the connector sees alice as Available
    When Graph refuses every token the connector has got so far
    And alice sets her status to Busy
    Then within 10 seconds, the connector sees alice as Busy
    And the connector keeps the rules C-6 and C-11

  @C-6
  Scenario: The reader renews its subscription before it expires
    Then within 10 seconds, the connector sees alice as Available
    When the connector keeps running for 5 minutes
    And alice sets her status to Do not disturb
    Then within 10 seconds, the connector sees alice as DoNotDisturb
    And the connector keeps the rules C-6 and C-8

  @C-7 @C-8
  Scenario: When notifications stop, the reader polls and converges to the true presence
    Then within 10 seconds, the connector sees alice as Available
    When notifications to the connector stop
    And alice sets her status to Busy
    Then within 10 seconds, the connector sees alice as Busy
    When alice sets her status to Away
    Then within 10 seconds, the connector sees alice as Away
    And the connector keeps the rules C-6, C-7 and C-8
