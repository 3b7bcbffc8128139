@graph
Feature: Teams clients see Graph writes late
  Graph documents that the Teams client polls, so a change written through
  Graph may take a few minutes to show in Teams; how late is T-PROP-1's lag
  of the viewer's client.

  Background:
    Given the users alice, bob and carol
    And the Graph app "connector" is registered with application permissions Presence.Read.All and Presence.ReadWrite.All
    And it is 09:00
    And bob is signed in to Teams on mobile
    And 10 minutes pass

  @G-LAT-1 @T-PROP-1
  Scenario: A presence written through Graph reaches a web client within 5 minutes
    When the Graph app "connector" POSTs /v1.0/users/{alice}/presence/setPresence with:
      """
      {"sessionId": "{app}", "availability": "Busy", "activity": "InACall", "expirationDuration": "PT1H"}
      """
    Then Graph reads alice as Busy/InACall
    And within 5 minutes bob's web client shows alice as Busy/InACall
    And within 10 minutes bob's phone client shows alice as Busy/InACall
