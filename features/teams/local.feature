@T-LOCAL-1
Feature: Client-local indicators
  Connection errors, failed authentication, no network and new activity are
  shown on that client only, not to others; a client without network stops
  refreshing its session, which stands, shown Away, until it ends (seed 000,
  T-ACT-4; the timeout is a setting).

  Background:
    Given it is 09:00
    And alice is signed in to Teams on desktop and web
    And bob is signed in to Teams on mobile

  Scenario: No network is shown to the user on that client only
    When alice's desktop client loses its network
    Then alice sees "noNetwork" on her desktop client
    And alice sees "" on her web client
    And bob sees alice as Available

  @T-ACT-4
  Scenario: A client without network stops refreshing its session
    Given alice signs out of Teams on web
    When alice's desktop client loses its network
    And 4 minutes pass
    Then alice's presence is Away
    When 1 minute passes
    Then alice's presence is Offline
    When alice's desktop client gets its network back
    Then alice's presence is Available
    And alice sees "" on her desktop client

  Scenario Outline: Other local indicators stay local
    When alice's web client reports <indicator>
    Then alice sees "<indicator>" on her web client
    And alice sees "" on her desktop client
    And bob sees alice as Available

    Examples:
      | indicator            |
      | connectionError      |
      | authenticationFailed |
      | newActivity          |
